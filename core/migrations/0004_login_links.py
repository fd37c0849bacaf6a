from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0003_logistics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('fahuo.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name='login_links', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_link', 'app': 'fahuo', 'pk_attr': 'id', 'table_description': "A one-time sign-in link, sent by the bot to a linked staff member's Telegram: short-lived, used once."},
            bases=['Model'],
        ),
    ]

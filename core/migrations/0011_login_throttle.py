from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0009_e164_phones'), ('fahuo', '0012_outbox_commit_order')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginThrottle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=120)),
                ('failures', fields.IntField(default=0)),
                ('window_started', fields.FloatField()),
            ],
            options={'table': 'login_throttle', 'app': 'fahuo', 'pk_attr': 'id', 'table_description': None},
            bases=['Model'],
        ),
    ]

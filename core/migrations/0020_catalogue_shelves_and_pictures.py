"""Shelves (categories) for the shop customers browse first, and a picture for each product: an https://
address or a file under the media folder (settings.media_dir)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0019_carrier_waybills')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('name_zh', fields.CharField(default='', max_length=100)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'category', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Product',
            name='category',
            field=fields.ForeignKeyField('fahuo.Category', source_field='category_id', null=True, db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Product',
            name='image',
            field=fields.CharField(default='', max_length=300),
        ),
    ]

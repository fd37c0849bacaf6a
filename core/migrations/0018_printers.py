"""Label printers per warehouse and station, and the print jobs waiting for them (core.shipping.printing)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from core.shipping.printing import Connection, JobKind, JobState
from core.shipping.thermal import LabelSize, PrinterLanguage, TextMode
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0020_catalogue_shelves_and_pictures')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Printer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('warehouse', fields.ForeignKeyField('fahuo.Warehouse', source_field='warehouse_id', db_constraint=True, to_field='id', related_name='printers', on_delete=OnDelete.RESTRICT)),
                ('station', fields.CharField(max_length=40)),
                ('language', fields.CharEnumField(description='ZPL: zpl\nTSPL: tspl\nPDF: pdf', enum_type=PrinterLanguage, max_length=8)),
                ('text_mode', fields.CharEnumField(default=TextMode.FONT, description='FONT: font\nBITMAP: bitmap', enum_type=TextMode, max_length=8)),
                ('connection', fields.CharEnumField(description='TCP: tcp\nCUPS: cups', enum_type=Connection, max_length=8)),
                ('address', fields.CharField(max_length=200)),
                ('label_size', fields.CharEnumField(default=LabelSize.MM_100X150, description='MM_100X150: 100x150\nMM_76X130: 76x130', enum_type=LabelSize, max_length=16)),
                ('dpi', fields.IntField(default=203)),
                ('check_status', fields.BooleanField(default=True)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'printer', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrintJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('printer', fields.ForeignKeyField('fahuo.Printer', source_field='printer_id', db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='SHIPMENT: shipment\nPACKAGE: package\nLOCATIONS: locations\nPRODUCTS: products', enum_type=JobKind, max_length=16)),
                ('subject', fields.CharField(max_length=32)),
                ('lang', fields.CharField(max_length=8)),
                ('state', fields.CharEnumField(default=JobState.QUEUED, description='QUEUED: queued\nPRINTED: printed', enum_type=JobState, max_length=8)),
                ('waiting_key', fields.CharField(null=True, unique=True, max_length=80)),
                ('attempts', fields.IntField(default=0)),
                ('problem', fields.CharField(null=True, max_length=32)),
                ('problem_detail', fields.CharField(null=True, max_length=200)),
                ('next_try_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requested_by', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('printed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'print_job', 'app': 'fahuo', 'indexes': [Index(fields=['state', 'next_try_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
import datetime
import functools
from core.shipping.aftersales import RequestKind, RequestStatus
from core.base.clock import ClockField
from core.shipping.documents import DocumentKind
from core.orders.order import ServiceLevel
from core.floor.picking import PickListStatus, TaskState
from core.shipping.shipments import ShipmentStatus
from core.stock.ledger import MoveReason
from core.shipping.tracking import TrackingCode
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0002_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AfterSalesRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('order', fields.ForeignKeyField('fahuo.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='aftersales', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='RETURN: return\nEXCHANGE: exchange\nDAMAGE: damage\nMISSING_ITEM: missing_item', enum_type=RequestKind, max_length=16)),
                ('status', fields.CharEnumField(default=RequestStatus.OPEN, db_index=True, description='OPEN: open\nAWAITING_RETURN: awaiting_return\nRECEIVED: received\nRESOLVED: resolved\nREJECTED: rejected', enum_type=RequestStatus, max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('lines', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('resolution', fields.CharField(default='', max_length=500)),
                ('created_by', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'aftersales_request', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AfterSalesPhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('fahuo.AfterSalesRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('mime', fields.CharField(max_length=32)),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'aftersales_photo', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AfterSalesStep',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('fahuo.AfterSalesRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('actor', fields.CharField(max_length=100)),
                ('note', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'aftersales_step', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Carrier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('name', fields.CharField(max_length=100)),
                ('adapter', fields.CharField(default='simulated', max_length=32)),
                ('service_level', fields.CharEnumField(default=ServiceLevel.STANDARD, description='ECONOMY: economy\nSTANDARD: standard\nEXPRESS: express', enum_type=ServiceLevel, max_length=16)),
                ('regions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('goods_classes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('max_weight_g', fields.IntField(default=30000)),
                ('max_side_mm', fields.IntField(default=1500)),
                ('transit_days', fields.IntField(default=2)),
                ('rates', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('cutoff', ClockField(default=datetime.time.fromisoformat('16:00:00'))),
                ('webhook_secret', fields.CharField(default='', max_length=128)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'carrier', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PickList',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('warehouse', fields.ForeignKeyField('fahuo.Warehouse', source_field='warehouse_id', db_constraint=True, to_field='id', related_name='pick_lists', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=PickListStatus.OPEN, db_index=True, description='OPEN: open\nDONE: done', enum_type=PickListStatus, max_length=16)),
                ('picker', fields.CharField(null=True, max_length=100)),
                ('route_m', fields.FloatField(default=0)),
                ('created_by', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pick_list', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PickTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pick_list', fields.ForeignKeyField('fahuo.PickList', source_field='pick_list_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('order', fields.ForeignKeyField('fahuo.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='pick_tasks', on_delete=OnDelete.RESTRICT)),
                ('order_line', fields.ForeignKeyField('fahuo.OrderLine', source_field='order_line_id', db_constraint=True, to_field='id', related_name='pick_tasks', on_delete=OnDelete.RESTRICT)),
                ('reservation', fields.ForeignKeyField('fahuo.Reservation', source_field='reservation_id', null=True, db_constraint=True, to_field='id', related_name='pick_tasks', on_delete=OnDelete.RESTRICT)),
                ('product', fields.ForeignKeyField('fahuo.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='pick_tasks', on_delete=OnDelete.RESTRICT)),
                ('location', fields.ForeignKeyField('fahuo.Location', source_field='location_id', db_constraint=True, to_field='id', related_name='pick_tasks', on_delete=OnDelete.RESTRICT)),
                ('tote', fields.CharField(max_length=16)),
                ('qty', fields.IntField()),
                ('picked', fields.IntField(default=0)),
                ('state', fields.CharEnumField(default=TaskState.PENDING, description='PENDING: pending\nDONE: done\nSHORT: short\nCANCELLED: cancelled', enum_type=TaskState, max_length=16)),
                ('at_location', fields.BooleanField(default=False)),
            ],
            options={'table': 'pick_task', 'app': 'fahuo', 'indexes': [Index(fields=['pick_list_id', 'seq']), Index(fields=['order_id']), Index(fields=['reservation_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoutePlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('warehouse', fields.ForeignKeyField('fahuo.Warehouse', source_field='warehouse_id', db_constraint=True, to_field='id', related_name='route_plans', on_delete=OnDelete.RESTRICT)),
                ('day', fields.DateField()),
                ('unplanned', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'route_plan', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Scan',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client_scan_id', fields.CharField(unique=True, max_length=64)),
                ('staff', fields.CharField(max_length=64)),
                ('mode', fields.CharField(max_length=16)),
                ('code', fields.CharField(max_length=200)),
                ('accepted', fields.BooleanField()),
                ('answer', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scan', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Shipment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('order', fields.ForeignKeyField('fahuo.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('warehouse', fields.ForeignKeyField('fahuo.Warehouse', source_field='warehouse_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=ShipmentStatus.PACKED, db_index=True, description='PACKED: packed\nBOOKED: booked\nLOADING: loading\nDISPATCHED: dispatched\nDELIVERED: delivered\nCANCELLED: cancelled', enum_type=ShipmentStatus, max_length=16)),
                ('carrier', fields.ForeignKeyField('fahuo.Carrier', source_field='carrier_id', null=True, db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('waybill', fields.CharField(null=True, db_index=True, max_length=64)),
                ('choice', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('price', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('eta', fields.DateField(null=True)),
                ('tracking_token', fields.CharField(unique=True, max_length=43)),
                ('vehicle_plate', fields.CharField(null=True, max_length=16)),
                ('dispatched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dispatched_by', fields.CharField(null=True, max_length=100)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'shipment', 'app': 'fahuo', 'indexes': [Index(fields=['order_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='DELIVERY_NOTE: delivery_note\nCONFIRMATION: shipment_confirmation\nWAYBILL: waybill', enum_type=DocumentKind, max_length=24)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('shipment', fields.ForeignKeyField('fahuo.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sha256', fields.CharField(max_length=64)),
                ('issued_by', fields.CharField(max_length=100)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'document', 'app': 'fahuo', 'unique_together': (('shipment', 'kind'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Package',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('shipment', fields.ForeignKeyField('fahuo.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='packages', on_delete=OnDelete.RESTRICT)),
                ('seq', fields.IntField()),
                ('weight_g', fields.IntField()),
                ('length_mm', fields.IntField()),
                ('width_mm', fields.IntField()),
                ('height_mm', fields.IntField()),
                ('contents', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('loaded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('loaded_by', fields.CharField(null=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'package', 'app': 'fahuo', 'indexes': [Index(fields=['shipment_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrackingEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment', fields.ForeignKeyField('fahuo.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='tracking', on_delete=OnDelete.CASCADE)),
                ('external_id', fields.CharField(max_length=64)),
                ('code', fields.CharEnumField(description='PICKED_UP: picked_up\nIN_TRANSIT: in_transit\nARRIVED: arrived\nOUT_FOR_DELIVERY: out_for_delivery\nDELIVERED: delivered\nEXCEPTION: exception', enum_type=TrackingCode, max_length=24)),
                ('description', fields.CharField(max_length=300)),
                ('place', fields.CharField(default='', max_length=100)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('source', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tracking_event', 'app': 'fahuo', 'unique_together': (('shipment', 'external_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Vehicle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plate', fields.CharField(unique=True, max_length=16)),
                ('warehouse', fields.ForeignKeyField('fahuo.Warehouse', source_field='warehouse_id', db_constraint=True, to_field='id', related_name='vehicles', on_delete=OnDelete.RESTRICT)),
                ('capacity_kg', fields.IntField()),
                ('driver', fields.CharField(default='', max_length=100)),
                ('shift_start', ClockField(default=datetime.time.fromisoformat('08:00:00'))),
                ('shift_end', ClockField(default=datetime.time.fromisoformat('18:00:00'))),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'vehicle', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RouteStop',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plan', fields.ForeignKeyField('fahuo.RoutePlan', source_field='plan_id', db_constraint=True, to_field='id', related_name='stops', on_delete=OnDelete.CASCADE)),
                ('vehicle', fields.ForeignKeyField('fahuo.Vehicle', source_field='vehicle_id', db_constraint=True, to_field='id', related_name='stops', on_delete=OnDelete.RESTRICT)),
                ('seq', fields.IntField()),
                ('shipment', fields.ForeignKeyField('fahuo.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='stops', on_delete=OnDelete.RESTRICT)),
                ('eta', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('km_from_previous', fields.FloatField()),
            ],
            options={'table': 'route_stop', 'app': 'fahuo', 'indexes': [Index(fields=['plan_id', 'vehicle_id', 'seq']), Index(fields=['shipment_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Order',
            name='window_end',
            field=ClockField(null=True),
        ),
        ops.AddField(
            model_name='Order',
            name='window_start',
            field=ClockField(null=True),
        ),
        ops.AlterField(
            model_name='StockMove',
            name='reason',
            field=fields.CharEnumField(description='RECEIPT: receipt\nADJUSTMENT: adjustment\nIMPORT: import\nTRANSFER_OUT: transfer_out\nTRANSFER_IN: transfer_in\nRELOCATION: relocation\nSHIPMENT: shipment\nRETURN: return\nSHORT_PICK: short_pick', enum_type=MoveReason, max_length=16),
        ),
    ]

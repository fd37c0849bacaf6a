from tortoise import migrations
from tortoise.migrations import operations as ops
from core.orders.order import OrderStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0005_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Lease',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('holder', fields.CharField(max_length=100)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lease', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Order',
            name='status',
            field=fields.CharEnumField(default=OrderStatus.SUBMITTED, db_index=True, description='DRAFT: draft\nSUBMITTED: submitted\nON_HOLD: on_hold\nREJECTED: rejected\nAPPROVED: approved\nALLOCATED: allocated\nBACKORDERED: backordered\nAWAITING_PAYMENT: awaiting_payment\nPICKING: picking\nPACKED: packed\nSHIPPED: shipped\nDELIVERED: delivered\nCANCELLED: cancelled', enum_type=OrderStatus, max_length=16),
        ),
    ]

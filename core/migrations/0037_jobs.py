"""The job queue (core.base.jobs): work for later, claimed row by row."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from core.base.jobs import JobState


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0029_connections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=48)),
                ('key', fields.CharField(null=True, unique=True, max_length=160)),
                ('lane', fields.CharField(null=True, max_length=64)),
                ('payload', fields.JSONField(default=dict)),
                ('state', fields.CharEnumField(default=JobState.WAITING, description='WAITING: waiting\nDONE: done\nFAILED: failed', enum_type=JobState, max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(default='', max_length=100)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job', 'app': 'fahuo', 'indexes': [Index(fields=['state', 'due_at']), Index(fields=['lane', 'state', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]

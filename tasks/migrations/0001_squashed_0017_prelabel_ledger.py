"""0001 to 0017 in one step, for a new database (docs/architecture.md "Migrations").

Django applies this migration only where none of the ones it replaces has run, i.e. to an
empty database; a database that has them keeps going through them. It creates every table as
the models are at 0017, each table's indexes and constraints with it, and in dependency order,
so that Django renders the models again once a table, not once per later field or index: a
fresh `migrate` took 4.5 s of CPU through the seventeen steps, 2.0 s through this one
(docs/performance.md "Cold start").

Of the data steps, the three that a new database needs run at the end, as written in the
migrations they come from: the reviewers and managers groups and the managers' permissions.
The two that only move existing rows (0010's own test keys, 0015's memberships) have nothing
to move here and are left out. tests/test_migrations.py holds this migration to the same
models and the same schema as the chain.
"""

import importlib
import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import tasks.kinds
import tasks.models.accounts
import tasks.models.fields
import tasks.models.files
import tasks.models.tasks


def _from(migration: str, function: str):
    """A data step of a replaced migration, run as written there."""
    return getattr(importlib.import_module(f"tasks.migrations.{migration}"), function)


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("tasks", "0001_initial"),
        ("tasks", "0002_callbacks"),
        ("tasks", "0003_task_work_started_at"),
        ("tasks", "0004_live_sessions"),
        ("tasks", "0005_task_draft_extras"),
        ("tasks", "0006_ordered_json"),
        ("tasks", "0007_video_frames"),
        ("tasks", "0008_video_frame_layers"),
        ("tasks", "0009_task_type_choices"),
        ("tasks", "0010_account_callback_secrets"),
        ("tasks", "0011_worker_beat"),
        ("tasks", "0012_quality"),
        ("tasks", "0013_skip_reason"),
        ("tasks", "0014_workforce"),
        ("tasks", "0015_workforce_members"),
        ("tasks", "0016_model_backends"),
        ("tasks", "0017_prelabel_ledger"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name='WorkerBeat',
            fields=[
                ('worker_id', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('host', models.CharField(blank=True, max_length=255)),
                ('pid', models.IntegerField()),
                ('started_at', models.DateTimeField()),
                ('beat_at', models.DateTimeField(db_index=True)),
                ('running', models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='AccountSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('callback_auth_key', models.CharField(default=tasks.models.accounts.new_callback_key, max_length=64)),
                ('test_callback_auth_key', models.CharField(default=tasks.models.accounts.new_callback_key, max_length=64)),
                ('callback_signing_secret', models.CharField(blank=True, default='', editable=False, max_length=80)),
                ('test_callback_signing_secret', models.CharField(blank=True, default='', editable=False, max_length=80)),
                ('callback_emails', models.TextField(blank=True, default='', help_text="The only e-mail addresses this account's callbacks may go to, one a line (set by staff, who checked they are the account's own).")),
                ('default_callback_url', models.CharField(blank=True, default='', max_length=2048)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='annotator_settings', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'account settings',
                'verbose_name_plural': 'account settings',
            },
        ),
        migrations.CreateModel(
            name='ApiKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(blank=True, default='', max_length=100)),
                ('is_test', models.BooleanField(default=False)),
                ('prefix', models.CharField(editable=False, max_length=16)),
                ('key_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked', models.BooleanField(default=False)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API key',
            },
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254)),
                ('role', models.CharField(choices=[('labeler', 'Labeler'), ('member', 'Member'), ('manager', 'Manager'), ('admin', 'Admin')], default='labeler', max_length=10)),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='accepted_invitations', to=settings.AUTH_USER_MODEL)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ModelBackend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('url', models.URLField(help_text='Base URL; /health, /predict ... are appended.', max_length=500)),
                ('protocol', models.CharField(choices=[('annotator', 'annotator (v1)'), ('label_studio', 'Label Studio ML backend')], default='annotator', max_length=20)),
                ('predict', models.BooleanField(default=True, help_text='Prelabel new tasks.')),
                ('interact', models.BooleanField(default=False, help_text="Serve the workbench's Assist tool.")),
                ('timeout_seconds', models.FloatField(default=10)),
                ('auth_header', models.CharField(blank=True, help_text='Sent as the Authorization header when set.', max_length=500)),
                ('enabled', models.BooleanField(default=True)),
                ('failures', models.PositiveIntegerField(default=0)),
                ('open_until', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('last_ok_at', models.DateTimeField(blank=True, null=True)),
                ('model_version', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='model_backends', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('owner', 'name'), name='model_backend_name_unique')],
            },
        ),
        migrations.CreateModel(
            name='UploadedFile',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('is_test', models.BooleanField(default=False)),
                ('file', models.FileField(max_length=300, upload_to=tasks.models.files.upload_path)),
                ('display_name', models.CharField(blank=True, default='', max_length=300)),
                ('mime_type', models.CharField(blank=True, default='', max_length=100)),
                ('size', models.PositiveBigIntegerField(default=0)),
                ('sha256', models.CharField(blank=True, db_index=True, default='', max_length=64)),
                ('project_names', models.JSONField(blank=True, default=list)),
                ('reference_id', models.CharField(blank=True, max_length=300, null=True)),
                ('metadata', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('source_url', models.CharField(blank=True, default='', max_length=2048)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='uploaded_files', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('reference_id__isnull', False)), fields=('owner', 'is_test', 'reference_id'), name='file_reference_id_unique_per_account')],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('labeler', 'Labeler'), ('member', 'Member'), ('manager', 'Manager'), ('admin', 'Admin')], default='labeler', max_length=10)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['account_id', 'created_at'],
                'constraints': [models.UniqueConstraint(fields=('account', 'user'), name='membership_unique')],
            },
        ),
        migrations.CreateModel(
            name='Project',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_test', models.BooleanField(default=False)),
                ('name', models.CharField(max_length=200)),
                ('type', models.CharField(choices=tasks.kinds.choices, default='imageannotation', max_length=64)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('archived', models.BooleanField(default=False)),
                ('ontology', models.JSONField(blank=True, default=list)),
                ('ontology_history', models.JSONField(blank=True, default=list)),
                ('extra', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('model_backend', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='projects', to='tasks.modelbackend')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='projects', to=settings.AUTH_USER_MODEL)),
                ('reviewers', models.ManyToManyField(blank=True, help_text="Reviewers who may review this project's work; none means every reviewer.", related_name='reviewer_projects', to=settings.AUTH_USER_MODEL)),
                ('taskers', models.ManyToManyField(blank=True, help_text='Taskers who may work on this project; none means every tasker.', related_name='tasker_projects', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.UniqueConstraint(fields=('owner', 'is_test', 'name'), name='project_name_unique_per_account')],
            },
        ),
        migrations.CreateModel(
            name='ProjectQuality',
            fields=[
                ('project', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='quality', serialize=False, to='tasks.project')),
                ('review_mode', models.CharField(choices=[('off', 'off'), ('all', 'every task'), ('sample', 'a percentage'), ('first_then_sample', "each tasker's first N, then a percentage")], default='off', help_text='Which first submissions go to review.', max_length=20)),
                ('review_percent', models.PositiveSmallIntegerField(default=100, help_text='The share of submissions reviewed (a percentage, and after the first N).', validators=[django.core.validators.MaxValueValidator(100)])),
                ('review_first_n', models.PositiveIntegerField(default=0, help_text="Each tasker's first N submissions in the project are all reviewed (with 'first N, then a percentage').")),
                ('consensus_k', models.PositiveSmallIntegerField(default=1, help_text='How many taskers annotate each task independently (1: no consensus).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                ('consensus_min_similarity', models.FloatField(default=0.5, help_text='Two shapes match when their similarity (IoU, or closeness) reaches this.', validators=[django.core.validators.MinValueValidator(0.01), django.core.validators.MaxValueValidator(1.0)])),
                ('consensus_review_below', models.FloatField(blank=True, help_text='A merged task whose agreement is below this goes to review.', null=True, validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)])),
                ('consensus_skip_review_at', models.FloatField(blank=True, help_text='A merged task whose agreement reaches this skips review.', null=True, validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)])),
                ('gold_share', models.FloatField(default=0.0, help_text='The share of claims served a gold task.', validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)])),
                ('gold_threshold', models.FloatField(default=0.8, help_text='Gold accuracy under which a tasker is flagged.', validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)])),
                ('gold_min_answers', models.PositiveIntegerField(default=5, help_text='No flag before this many gold answers.', validators=[django.core.validators.MinValueValidator(1)])),
                ('gold_window', models.PositiveIntegerField(default=20, help_text="Flagging uses the tasker's last N gold answers.", validators=[django.core.validators.MinValueValidator(1)])),
                ('pause_when_flagged', models.BooleanField(default=False, help_text='A flagged tasker is also paused in the project.')),
                ('training_required', models.BooleanField(default=False, help_text='New taskers get only training tasks until they pass.')),
                ('training_threshold', models.FloatField(default=0.8, help_text='The pass mark: mean score over training tasks.', validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)])),
            ],
            options={
                'verbose_name': 'quality settings',
                'verbose_name_plural': 'quality settings',
                'constraints': [models.CheckConstraint(condition=models.Q(('review_percent__lte', 100)), name='quality_review_percent_range'), models.CheckConstraint(condition=models.Q(('consensus_k__gte', 1), ('consensus_k__lte', 5)), name='quality_consensus_k_range'), models.CheckConstraint(condition=models.Q(('gold_share__gte', 0), ('gold_share__lte', 1)), name='quality_gold_share_range')],
            },
        ),
        migrations.CreateModel(
            name='ProjectGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('is_singleton', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('members', models.ManyToManyField(blank=True, related_name='project_groups', to=settings.AUTH_USER_MODEL)),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='tasks.project')),
            ],
            options={
                'ordering': ['project_id', 'name'],
                'constraints': [models.UniqueConstraint(fields=('project', 'name'), name='project_group_unique')],
            },
        ),
        migrations.CreateModel(
            name='Batch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_test', models.BooleanField(default=False)),
                ('name', models.CharField(max_length=200)),
                ('status', models.CharField(choices=[('staging', 'Staging'), ('in_progress', 'In Progress'), ('completed', 'Completed')], default='in_progress', max_length=20)),
                ('callback', models.CharField(blank=True, default='', max_length=2048)),
                ('metadata', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('calibration_batch', models.BooleanField(default=False)),
                ('self_label_batch', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('studio_priority', models.PositiveIntegerField(blank=True, null=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to=settings.AUTH_USER_MODEL)),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to='tasks.project')),
                ('groups', models.ManyToManyField(blank=True, related_name='batches', to='tasks.projectgroup')),
            ],
            options={
                'verbose_name_plural': 'batches',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['owner', 'is_test', '-created_at'], name='tasks_batch_owner_i_c2173a_idx')],
                'constraints': [models.UniqueConstraint(fields=('owner', 'is_test', 'name'), name='batch_name_unique_per_account')],
            },
        ),
        migrations.CreateModel(
            name='ProjectParamVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField()),
                ('params', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='param_versions', to='tasks.project')),
            ],
            options={
                'ordering': ['version'],
                'constraints': [models.UniqueConstraint(fields=('project', 'version'), name='project_version_unique')],
            },
        ),
        migrations.CreateModel(
            name='Task',
            fields=[
                ('task_id', models.CharField(default=tasks.models.tasks.new_task_id, max_length=24, primary_key=True, serialize=False)),
                ('is_test', models.BooleanField(default=False)),
                ('type', models.CharField(choices=tasks.kinds.choices, default='imageannotation', max_length=64)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('completed', 'Completed'), ('canceled', 'Canceled'), ('error', 'Error')], default='pending', max_length=16)),
                ('project_param_version', models.IntegerField(blank=True, null=True)),
                ('instruction', models.TextField(blank=True, default='')),
                ('callback_url', models.CharField(blank=True, default='', max_length=2048)),
                ('params', tasks.models.fields.OrderedJSONField(default=dict)),
                ('response', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('metadata', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('tags', models.JSONField(blank=True, default=list)),
                ('unique_id', models.CharField(blank=True, max_length=512, null=True)),
                ('clear_unique_id_on_error', models.BooleanField(default=False)),
                ('priority', models.PositiveSmallIntegerField(default=20)),
                ('urgency', models.CharField(default='standard', max_length=20)),
                ('work_started', models.BooleanField(default=False)),
                ('audits', models.JSONField(blank=True, default=list)),
                ('customer_review_status', models.CharField(blank=True, default='', max_length=20)),
                ('callback_succeeded', models.BooleanField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('attachment_file', models.FileField(blank=True, max_length=300, upload_to='attachments/')),
                ('attachment_width', models.PositiveIntegerField(blank=True, null=True)),
                ('attachment_height', models.PositiveIntegerField(blank=True, null=True)),
                ('attachment_mime', models.CharField(blank=True, default='', max_length=100)),
                ('lease_expires_at', models.DateTimeField(blank=True, null=True)),
                ('work_started_at', models.DateTimeField(blank=True, null=True)),
                ('sent_back_response', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('draft_extras', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('role', models.CharField(choices=[('customer', 'Customer'), ('replica', 'Replica'), ('evaluation', 'Evaluation'), ('training', 'Training')], default='customer', max_length=12)),
                ('stage', models.CharField(choices=[('work', 'Work'), ('consensus', 'Consensus'), ('review', 'Review'), ('rework', 'Rework'), ('template', 'Template')], default='work', max_length=12)),
                ('reserved_until', models.DateTimeField(blank=True, null=True)),
                ('quality', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tasks', to=settings.AUTH_USER_MODEL)),
                ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='tasks.batch')),
                ('claimed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='claimed_tasks', to=settings.AUTH_USER_MODEL)),
                ('completed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='completed_tasks', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='owned_tasks', to=settings.AUTH_USER_MODEL)),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='tasks.task')),
                ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='tasks.project')),
                ('reserved_for', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reserved_tasks', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('role', 'customer')), fields=['owner', 'is_test', '-created_at', '-task_id'], name='task_list_order'), models.Index(condition=models.Q(('status', 'pending')), fields=['project', 'stage', '-priority', 'created_at'], name='task_stage_queue'), models.Index(fields=['project', 'status', '-priority', 'created_at'], name='task_queue_order'), models.Index(fields=['batch', 'status'], name='task_batch_status')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('unique_id__isnull', False)), fields=('owner', 'is_test', 'unique_id'), name='task_unique_id_per_account')],
            },
        ),
        migrations.CreateModel(
            name='Prelabel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('backend_name', models.CharField(blank=True, max_length=100)),
                ('model_version', models.CharField(blank=True, max_length=200)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('done', 'Done'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='queued', max_length=10)),
                ('error', models.TextField(blank=True)),
                ('notes', models.JSONField(blank=True, default=list)),
                ('annotation_count', models.PositiveIntegerField(default=0)),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('backend', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='prelabels', to='tasks.modelbackend')),
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='prelabel', to='tasks.task')),
            ],
            options={
                'indexes': [models.Index(fields=['status', 'created_at'], name='tasks_prela_status_7185b5_idx')],
            },
        ),
        migrations.CreateModel(
            name='GoldStandard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('evaluation', 'Evaluation'), ('training', 'Training')], max_length=12)),
                ('phase', models.CharField(choices=[('work', 'Work'), ('review', 'Review')], default='work', max_length=8)),
                ('expected_response', tasks.models.fields.OrderedJSONField(default=dict)),
                ('initial_response', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('origin', models.ForeignKey(blank=True, help_text="The customer task this was made from ('Use as gold').", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='gold_copies_made', to='tasks.task')),
                ('template', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='gold', to='tasks.task')),
            ],
            options={
                'verbose_name': 'gold or training task',
            },
        ),
        migrations.CreateModel(
            name='GoldAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('evaluation', 'Evaluation'), ('training', 'Training')], max_length=12)),
                ('phase', models.CharField(choices=[('work', 'Work'), ('review', 'Review')], default='work', max_length=8)),
                ('score', models.FloatField()),
                ('details', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('answered_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gold_answers', to=settings.AUTH_USER_MODEL)),
                ('standard', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='tasks.goldstandard')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gold_answers', to='tasks.project')),
                ('copy', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='gold_answer', to='tasks.task')),
            ],
            options={
                'indexes': [models.Index(fields=['project', 'user', 'answered_at'], name='gold_answer_by_user')],
            },
        ),
        migrations.CreateModel(
            name='DraftSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('session_id', models.CharField(max_length=64)),
                ('tab_id', models.CharField(blank=True, default='', max_length=64)),
                ('channel_name', models.CharField(blank=True, default='', max_length=200)),
                ('last_seq', models.PositiveBigIntegerField(default=0)),
                ('is_active', models.BooleanField(default=False)),
                ('connected_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_seen', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='draft_sessions', to=settings.AUTH_USER_MODEL)),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='draft_sessions', to='tasks.task')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('task', 'session_id'), name='draft_session_per_task')],
            },
        ),
        migrations.CreateModel(
            name='ContextAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField()),
                ('url', models.CharField(max_length=2048)),
                ('file', models.FileField(max_length=300, upload_to='attachments/context/')),
                ('width', models.PositiveIntegerField()),
                ('height', models.PositiveIntegerField()),
                ('mime_type', models.CharField(max_length=100)),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='context_copies', to='tasks.task')),
            ],
            options={
                'ordering': ['position'],
                'constraints': [models.UniqueConstraint(fields=('task', 'position'), name='context_attachment_position')],
            },
        ),
        migrations.CreateModel(
            name='ConsensusResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('replicas', models.JSONField(default=list)),
                ('report', tasks.models.fields.OrderedJSONField(default=dict)),
                ('agreement', models.FloatField()),
                ('merged_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='consensus', to='tasks.task')),
            ],
        ),
        migrations.CreateModel(
            name='CallbackDelivery',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('event', models.CharField(choices=[('completed', 'Completed'), ('error', 'Error'), ('audit', 'Audit'), ('recall', 'Recall'), ('batch_completed', 'Batch Completed')], max_length=20)),
                ('url', models.CharField(help_text='An http(s) URL or an email address.', max_length=2048)),
                ('payload', tasks.models.fields.OrderedJSONField(help_text='The body, frozen when the event happened.')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='pending', max_length=12)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_status_code', models.PositiveIntegerField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True, default='')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('locked_until', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='tasks.batch')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='callback_deliveries', to=settings.AUTH_USER_MODEL)),
                ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='tasks.task')),
            ],
            options={
                'verbose_name_plural': 'callback deliveries',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='delivery_due')],
            },
        ),
        migrations.CreateModel(
            name='Annotation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.CharField(max_length=64)),
                ('type', models.CharField(max_length=16)),
                ('label', models.CharField(blank=True, max_length=300, null=True)),
                ('geometry', tasks.models.fields.OrderedJSONField(default=dict)),
                ('attributes', tasks.models.fields.OrderedJSONField(blank=True, default=dict)),
                ('source', models.CharField(choices=[('hypothesis', 'Hypothesis'), ('base', 'Base'), ('tasker', 'Tasker')], default='tasker', max_length=16)),
                ('locked', models.BooleanField(default=False)),
                ('version', models.PositiveIntegerField(default=1)),
                ('position', models.PositiveIntegerField(default=0)),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='annotations', to='tasks.task')),
            ],
            options={
                'ordering': ['position'],
                'constraints': [models.UniqueConstraint(fields=('task', 'uuid'), name='annotation_uuid_per_task')],
            },
        ),
        migrations.CreateModel(
            name='TaskAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('work', 'Work'), ('rework', 'Rework'), ('review', 'Review')], max_length=8)),
                ('claimed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('outcome', models.CharField(choices=[('open', 'Open'), ('submitted', 'Submitted'), ('released', 'Released'), ('expired', 'Expired'), ('accepted', 'Accepted'), ('fixed', 'Fixed'), ('sent_back', 'Sent Back')], default='open', max_length=12)),
                ('reason', models.CharField(blank=True, default='', max_length=500)),
                ('root', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='root_attempts', to='tasks.task')),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='tasks.task')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['root', 'user'], name='attempt_root_user'), models.Index(fields=['user', 'kind', 'outcome'], name='attempt_user_kind'), models.Index(fields=['task', 'user', 'outcome'], name='attempt_task_user')],
            },
        ),
        migrations.CreateModel(
            name='TaskerStanding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('training_passed_at', models.DateTimeField(blank=True, null=True)),
                ('training_failed_at', models.DateTimeField(blank=True, null=True)),
                ('training_reset_at', models.DateTimeField(blank=True, help_text='Training answers before this are ignored.', null=True)),
                ('flagged_at', models.DateTimeField(blank=True, null=True)),
                ('flag_reason', models.CharField(blank=True, choices=[('gold', 'Gold'), ('training', 'Training')], default='', max_length=12)),
                ('paused_at', models.DateTimeField(blank=True, null=True)),
                ('paused_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='standings', to='tasks.project')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='standings', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('project', 'user'), name='standing_per_project_user')],
            },
        ),
        migrations.CreateModel(
            name='TaskTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag', models.CharField(max_length=200)),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tag_rows', to='tasks.task')),
            ],
            options={
                'indexes': [models.Index(fields=['tag'], name='tasks_taskt_tag_3f2b0e_idx')],
                'constraints': [models.UniqueConstraint(fields=('task', 'tag'), name='task_tag_unique')],
            },
        ),
        migrations.CreateModel(
            name='VideoFrame',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('index', models.PositiveIntegerField()),
                ('file', models.FileField(max_length=300, upload_to='frames/')),
                ('width', models.PositiveIntegerField()),
                ('height', models.PositiveIntegerField()),
                ('mime_type', models.CharField(max_length=100)),
                ('timestamp', models.FloatField()),
                ('source_url', models.CharField(blank=True, default='', max_length=2048)),
                ('layer', models.JSONField(blank=True, null=True)),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='frames', to='tasks.task')),
            ],
            options={
                'ordering': ['index'],
                'constraints': [models.UniqueConstraint(fields=('task', 'index'), name='video_frame_index')],
            },
        ),
        migrations.CreateModel(
            name='DraftOp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField()),
                ('op', models.JSONField(blank=True, null=True)),
                ('reply', models.JSONField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ops', to='tasks.draftsession')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('session', 'seq'), name='draft_op_seq_per_session')],
            },
        ),
        migrations.CreateModel(
            name='PrelabelLedger',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prelabels', models.PositiveIntegerField(default=0)),
                ('kept', models.PositiveIntegerField(default=0)),
                ('moved', models.PositiveIntegerField(default=0)),
                ('relabelled', models.PositiveIntegerField(default=0)),
                ('attributes_changed', models.PositiveIntegerField(default=0)),
                ('deleted', models.PositiveIntegerField(default=0)),
                ('added', models.PositiveIntegerField(default=0)),
                ('iou_sum', models.FloatField(default=0)),
                ('iou_count', models.PositiveIntegerField(default=0)),
                ('model_version', models.CharField(max_length=200)),
                ('submitted_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('done', 'Done')], default='pending', max_length=8)),
                ('answer', models.JSONField(blank=True, default=list)),
                ('compared_at', models.DateTimeField(blank=True, null=True)),
                ('tasker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='prelabel_ledgers', to=settings.AUTH_USER_MODEL)),
                ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='prelabel_ledgers', to='tasks.project')),
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='prelabel_ledger', to='tasks.task')),
            ],
            options={
                'indexes': [models.Index(fields=['project', 'submitted_at'], name='ledger_project_day'), models.Index(fields=['model_version', 'submitted_at'], name='ledger_version_day')],
            },
        ),
        migrations.CreateModel(
            name='PrelabelLabelTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prelabels', models.PositiveIntegerField(default=0)),
                ('kept', models.PositiveIntegerField(default=0)),
                ('moved', models.PositiveIntegerField(default=0)),
                ('relabelled', models.PositiveIntegerField(default=0)),
                ('attributes_changed', models.PositiveIntegerField(default=0)),
                ('deleted', models.PositiveIntegerField(default=0)),
                ('added', models.PositiveIntegerField(default=0)),
                ('iou_sum', models.FloatField(default=0)),
                ('iou_count', models.PositiveIntegerField(default=0)),
                ('label', models.CharField(blank=True, max_length=200)),
                ('ledger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='labels', to='tasks.prelabelledger')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('ledger', 'label'), name='ledger_label_unique')],
            },
        ),
        migrations.CreateModel(
            name='ReviewRound',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('source', models.CharField(choices=[('internal', 'Internal'), ('customer', 'Customer')], default='internal', max_length=10)),
                ('work_response', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('final_response', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('reviewer_changes', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('verdict', models.CharField(blank=True, choices=[('accepted', 'Accepted'), ('fixed', 'Fixed'), ('sent_back', 'Sent Back')], default='', max_length=10)),
                ('comment', models.TextField(blank=True, default='')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('reviewer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='review_rounds', to=settings.AUTH_USER_MODEL)),
                ('worked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reviewed_rounds', to=settings.AUTH_USER_MODEL)),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_rounds', to='tasks.task')),
            ],
            options={
                'ordering': ['task', 'number'],
                'indexes': [models.Index(fields=['decided_at'], name='review_round_decided')],
                'constraints': [models.UniqueConstraint(fields=('task', 'number'), name='review_round_number')],
            },
        ),
        migrations.CreateModel(
            name='AnnotationVerdict',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.CharField(max_length=64)),
                ('verdict', models.CharField(choices=[('accepted', 'Accepted'), ('rejected', 'Rejected')], max_length=10)),
                ('reason', models.TextField(blank=True, default='')),
                ('annotation', tasks.models.fields.OrderedJSONField(blank=True, null=True)),
                ('revised', models.BooleanField(default=False)),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='verdicts', to='tasks.reviewround')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('round', 'uuid'), name='annotation_verdict_per_round')],
            },
        ),
        migrations.CreateModel(
            name='Issue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.CharField(max_length=64)),
                ('x', models.FloatField(blank=True, null=True)),
                ('y', models.FloatField(blank=True, null=True)),
                ('frame', models.IntegerField(blank=True, null=True)),
                ('annotation_uuid', models.CharField(blank=True, default='', max_length=64)),
                ('status', models.CharField(choices=[('open', 'Open'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='open', max_length=10)),
                ('source', models.CharField(choices=[('internal', 'Internal'), ('customer', 'Customer')], default='internal', max_length=10)),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('opened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('round', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='issues', to='tasks.reviewround')),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='issues', to='tasks.task')),
            ],
            options={
                'ordering': ['opened_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('task', 'uuid'), name='issue_uuid_per_task')],
            },
        ),
        migrations.CreateModel(
            name='IssueComment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('issue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='tasks.issue')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.RunPython(_from("0012_quality", "create_reviewers_group"),
                             migrations.RunPython.noop),
        migrations.RunPython(_from("0015_workforce_members", "create_managers_group"),
                             migrations.RunPython.noop),
        migrations.RunPython(_from("0016_model_backends", "grant_managers"),
                             migrations.RunPython.noop),
    ]

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Annotation tasks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tasks import (
            checks,  # noqa: F401 - registers the system checks
            lookups,
            signed_out,
        )

        # each registers its kind (tasks/kinds/: the kinds' modules import most of the house,
        # which the models' module must not, so they come once the models are ready)
        from tasks.kinds import image, segment, video  # noqa: F401

        # the quality loop plugs into the lifecycle and the jobs (tasks/quality_flow/wiring.py)
        from tasks.quality_flow import wiring

        wiring.register()
        # model backends: prelabel on create, the Assist provider (docs/assist.md)
        from tasks.model_backends import wiring as backends_wiring

        backends_wiring.register()
        # the prelabel ledger follows submits and compares in the worker (docs/assist.md)
        from tasks.prelabel_ledger import wiring as ledger_wiring

        ledger_wiring.register()
        lookups.register()
        from tasks.quality_flow import ops  # the review's draft operations

        ops.register()
        signed_out.connect_signals()

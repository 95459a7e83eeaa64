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
        from tasks.kinds import image, video  # noqa: F401

        # the quality loop follows the lifecycle's events (tasks/lifecycle.py, listeners)
        from tasks.quality_flow import stages

        stages.register()
        lookups.register()
        signed_out.connect_signals()

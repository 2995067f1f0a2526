from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "konbit.learning"
    label = "learning"
    verbose_name = _("Learning and reporting")

    def backup_restored(self) -> None:
        """Called by konbit.core.backup after a restore: the SQLite search index is not a model's
        table, so it is rebuilt from the restored lessons (PostgreSQL's generated column needs nothing)."""
        from .search import reindex_all

        reindex_all()

"""Every table of the schema; importing this package registers them all on ``Base.metadata``.

Each area of the project keeps its tables in its own module here and its migrations on its own
Alembic branch (see ``xunpai/storage/migrations/versions``)."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

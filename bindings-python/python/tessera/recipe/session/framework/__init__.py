"""``verify_session`` for each framework: ``fastapi``, ``flask``, ``django.asyncio`` and
``django.syncio``."""

"""The HTTP server: FastAPI app, logins and roles, agent actions, live views, `/metrics`.

`create_app(settings)` is the one composition root; see docs/reference/api.md.
"""

from callcenter.api.app import create_app
from callcenter.api.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]

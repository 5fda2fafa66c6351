"""Server settings: one pydantic model, read from `CALLCENTER_*` environment variables.

    settings = ServerSettings.from_env(port=9000)   # explicit values win over the environment

| variable | field | default |
|---|---|---|
| `CALLCENTER_DATABASE_URL` | `database_url` | `sqlite:///callcenter.db` (the store's default) |
| `CALLCENTER_HOST` | `host` | `127.0.0.1` |
| `CALLCENTER_PORT` | `port` | `8080` |
| `CALLCENTER_SCENARIO` | `scenario` | `hotline` with the `sim` adapter; none under SIP |
| `CALLCENTER_SPEED` | `speed` | `1.0` |
| `CALLCENTER_BOTS` | `bots` | `true` |
| `CALLCENTER_SIP` | `sip` | none: the `sim` adapter |
| `CALLCENTER_TELEPHONY_CONFIG` | `telephony_config` | none |
| `CALLCENTER_DEFAULT_REGION` | `default_region` | `US` |
| `CALLCENTER_ALLOWED_ORIGINS` | `allowed_origins` | none (comma-separated origins) |
| `CALLCENTER_JOURNAL` | `journal` | `<SQLite file>.journal`, else `callcenter-<hash>.journal` |
| `CALLCENTER_DRAIN_SECONDS` | `drain_seconds` | `30` |
| `CALLCENTER_CASE_SWEEP_SECONDS` | `case_sweep_seconds` | `15` (0: no sweep) |
| `CALLCENTER_RETENTION_SECONDS` | `retention_seconds` | `86400` (0: never) |

| `CALLCENTER_MAX_BODY` | `max_body` | `1048576` (1 MiB) |
| `CALLCENTER_MAX_UPLOAD` | `max_upload` | `52428800` (50 MiB) |
| `CALLCENTER_IMPORT_CHUNK` | `import_chunk` | `1000` |
| `CALLCENTER_IMPORT_PAUSE` | `import_pause` | `0.15` |

With `sip` (`HOST:PORT`) the server takes real calls: the `sip` adapter (B2BUA and
rtpengine) replaces the simulated callers, configured by the YAML file
`telephony_config` (trunks, DIDs and their flows, agents' phones; see
docs/reference/telephony.md).

`journal` is the local file where batches the database failed to take wait for it
(`callcenter.runtime.journal`); `drain_seconds` is how long a graceful stop (SIGTERM,
Ctrl-C) lets the calls in progress end before it closes them (engine seconds: real
seconds at speed 1).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from callcenter.api.origin import origin_of
from callcenter.core.customers import check_region
from callcenter.store.engine import database_url

ENV_PREFIX = "CALLCENTER_"


class ServerSettings(BaseModel):
    """Everything `create_app` needs to know; validated on construction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = None
    """SQLAlchemy URL of the store; None: the store's default (a SQLite file)."""
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    scenario: str | None = None
    """The scenario whose queues and agents the engine runs, and whose callers the sim
    telephony plays: an example's name or a TOML file; None: `hotline`. Under SIP no
    scenario is loaded unless one is named (it then only seeds an empty store)."""
    speed: float = Field(default=1.0, gt=0)
    """Engine seconds per real second."""
    start: float | None = None
    """Engine time (Unix seconds) to begin at; None: now."""
    warm_up: float = Field(default=0.0, ge=0)
    """Engine seconds before `start` the server lives through first, fast (120 engine
    seconds per real second): the demo's figures and queues are there at once."""
    seed: int | None = None
    bots: bool = True
    """Bot agents log in and answer; False leaves every agent to people."""
    shifts: bool = False
    """Bot agents log in and out by their scenario's shifts (the demo); else all log in
    at the start."""
    session_ttl: float = Field(default=12 * 3600, gt=0)
    """Seconds a login stays valid."""
    cookie_secure: bool = False
    """Send the session cookie only over HTTPS (turn on behind a TLS proxy)."""
    sip: str | None = None
    """`HOST:PORT` to take SIP calls on (UDP); None: simulated telephony."""
    telephony_config: str | None = None
    """The `sip` adapter's YAML config file (needed with `sip`)."""
    default_region: str = "US"
    """The country (two letters) of phone numbers written without a country code: the
    customer directory's numbers, and the callers' numbers it looks up."""

    max_body: int = Field(default=1024 * 1024, ge=1024)
    """The largest request body (bytes) a route takes, CSV uploads aside: larger is 413,
    refused before it is read."""
    max_upload: int = Field(default=50 * 1024 * 1024, ge=1024)
    """The largest CSV upload (bytes) a lead or customer import takes."""
    import_chunk: int = Field(default=1000, ge=1)
    """Rows an import writes per transaction: the longest the database is held."""
    import_pause: float = Field(default=0.15, ge=0)
    """Seconds an import waits between its transactions, so the engine's writes waiting
    for the database get their turn (SQLite's busy wait retries every 0.1 s)."""

    allowed_origins: tuple[str, ...] = ()
    """Origins besides the server's own (`https://wall.example:8443`) whose pages may send
    state-changing requests with the session cookie and open `/api/ws` (`api.origin`)."""

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v for v in (p.strip() for p in value.split(",")) if v]
        if isinstance(value, (list, tuple)):
            for origin in value:
                if not isinstance(origin, str) or origin_of(origin) != origin.rstrip("/"):
                    raise ValueError(f"allowed_origins: {origin!r} is not an origin like "
                                     "'https://host:port' (scheme, host, port only)")
            return tuple(str(o).rstrip("/") for o in value)
        return value

    journal: str | None = None
    """The journal file of batches waiting for the database; None: `journal_path()`."""
    drain_seconds: float = Field(default=30.0, ge=0)
    """How long a graceful stop lets calls in progress end (engine seconds) before it
    closes them with reason `shutdown`."""

    case_sweep_seconds: float = Field(default=15.0, ge=0)
    """How often (real seconds) the server looks for cases whose SLA target reached its
    warning or was breached, and tells the supervisors (`api.cases.sweep`); 0: never."""

    retention_seconds: float = Field(default=86_400.0, ge=0)
    """How often (real seconds) the server applies the retention rules
    (`crm.privacy.retention_forever`): every this long after the start; 0: never."""

    def journal_path(self) -> Path:
        """`journal`, else beside a SQLite file (`<file>.journal`), else in the working
        folder, named after the database URL (one journal per database)."""
        if self.journal is not None:
            return Path(self.journal)
        url = database_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(f"{url.database}.journal")
        name = url.render_as_string(hide_password=True)
        return Path(f"callcenter-{hashlib.sha256(name.encode()).hexdigest()[:12]}.journal")

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return check_region(value)

    @model_validator(mode="after")
    def _sip_needs_config(self) -> ServerSettings:
        if self.sip is not None and self.telephony_config is None:
            raise ValueError("sip: needs telephony_config (the telephony YAML file)")
        return self

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> ServerSettings:
        """Settings from `CALLCENTER_<FIELD>` variables; `overrides` that are not None win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

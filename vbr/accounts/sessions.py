"""Sessions kept in the database and read from the shared cache.

Every signed-in page reads its session before anything else; from the cache that is one
round trip to Redis instead of a query. The database keeps every session, so a cache that
is emptied, restarted or unreachable loses nobody's sign-in: the session is read from the
database instead (and the failure logged), and the page answers as before.

Used only where the cache is shared by every web process (settings: with REDIS_URL). A
cache of each process's own would keep a signed-out session alive in the other processes.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("vbr.sessions")


class SessionStore(cached_db.SessionStore):
    @property
    def shared(self) -> BaseCache:
        return caches[settings.SESSION_CACHE_ALIAS]

    def load(self) -> dict[str, Any]:
        try:
            data = self.shared.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unavailable; reading the session from the database")
            data = None
        if data is not None:
            return data  # type: ignore[no-any-return]
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        try:
            self.shared.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("Session cache unavailable; the session was not cached")
        return data

    def exists(self, session_key: str | None) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self.shared:
                return True
        except Exception:
            logger.warning("Session cache unavailable; asking the database")
        return session_key is not None and super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key: str | None = None) -> None:
        # The database row first, then the cached copy. Should the cache be unreachable at
        # that moment, its copy outlives the sign-out until the cache is emptied or the
        # session expires: logged as an error for that reason.
        super(cached_db.SessionStore, self).delete(session_key)
        key = session_key or self.session_key
        if key is None:
            return
        try:
            self.shared.delete(self.cache_key_prefix + key)
        except Exception:
            logger.error("Session cache unavailable; a signed-out session may stay cached")

"""Every threshold of `budgetbot serve` in one place: intake, retries, storage, memory, webhook, pools, health.

Code reads them as `limits.NAME` at run time, so a test can lower one with monkeypatch.
"""
from __future__ import annotations

# -- lifecycle ----------------------------------------------------------------------------------------------------
STOP_BUDGET = 4.0             # seconds from SIGTERM to exit, whatever the backlog (what is not answered stays pending)
CRASH_ATTEMPTS = 5            # an update the process died handling this often is set aside (a crash loop must end)

# -- intake -------------------------------------------------------------------------------------------------------
POLL_TIMEOUT = 10.0           # seconds of a getUpdates long poll
MAX_PENDING = 100_000         # updates stored and not yet handled; past it intake pauses (Telegram keeps the rest)
IN_FLIGHT = {"chat": 500, "inline": 16}   # updates being handled at once, per lane (inline queries have their own)
CONCURRENT = {"chat": 256, "inline": 4}   # of those, running handlers at once (the rest wait their turn); few inline
                                          # ones, so their replies (50 cards each) never crowd the event loop
INLINE_MAX_AGE = 10.0         # seconds: an inline query older than this is not answered (Telegram refuses by then)

# -- retries (Bot API faults: network errors, 5xx, timeouts) --------------------------------------------------------
RETRY_FIRST = 0.5             # seconds before the first retry of an update whose reply failed for a passing reason
RETRY_MAX = 30.0              # the longest wait between two retries
RETRY_ATTEMPTS = 25           # then the update is set aside as 'failed' (about ten minutes of retrying)
FINISH_CALL = 1.0             # at shutdown, seconds a Bot API call already on its way may take to finish and be
                              # journaled (so the next start does not send that reply again)

# -- storage (inbox.db) ---------------------------------------------------------------------------------------------
BUSY_TIMEOUT = 0.5            # seconds SQLite waits for another process's lock before the call fails
STORE_RETRY_FIRST = 0.25      # after a failed write, calls fail fast for this long, then one tries again…
STORE_RETRY_MAX = 4.0         # …doubling up to this (recovery within seconds of the lock or the space coming back)
DEDUP_KEEP = 2 * 86400        # finished updates' ids are kept this long (Telegram resends for 24 h) to drop repeats
STRANDED_KEEP = 7 * 86400     # pending updates of another bot id (a bot no longer run here) are dropped after this
CHAT_IDLE = 30 * 86400        # a chat's saved state (its last subject and document) expires after this idle time
PRUNE_EVERY = 3600.0          # seconds between two prunes of the inbox and the usage log

# -- memory ---------------------------------------------------------------------------------------------------------
CHATS_IN_MEMORY = 2_000       # idle chats kept in memory; older ones are dropped and reloaded from the inbox on use

# -- webhook --------------------------------------------------------------------------------------------------------
MAX_BODY = 1024 * 1024        # bytes of one webhook post (an update is at most a few kB)
MAX_HEADER = 16 * 1024        # bytes of a request's headers
HEADER_TIMEOUT = 10.0         # seconds to send all headers, and the longest idle time between requests
BODY_TIMEOUT = 10.0           # seconds to send the body
MAX_CONNECTIONS = 200         # open connections; past it (or at the open-file limit) accepting pauses
ACCEPT_PAUSE = 0.5            # seconds accepting pauses at the cap or the open-file limit (never a busy loop)
ACCEPT_BATCH = 64             # connections accepted per wake-up of the listening socket

# -- slow work in its own bounded pools -----------------------------------------------------------------------------
INLINE_WORKERS = 1            # threads computing inline cards
CHART_WORKERS = 1             # threads drawing charts (one figure in memory at a time)
CHART_WAITING = 64            # charts waiting to be drawn (cheap: nothing is drawn yet, and they send nothing);
                              # past it a /chart gets "busy, try again"

# -- health ---------------------------------------------------------------------------------------------------------
STALL_LOG_EVERY = 60.0        # a log line this often while intake is stalled
HEARTBEAT_EVERY = 5.0         # seconds between two writes of the health file
HEARTBEAT_STALE = 60.0        # `serve --check-health`: a heartbeat older than this means the process is stuck
MAX_STALL = 60.0              # `serve --check-health`: intake stalled longer than this is unhealthy

# -- usage log ------------------------------------------------------------------------------------------------------
USAGE_RETENTION_DAYS = 90     # questions and votes older than this are deleted (USAGE_RETENTION_DAYS overrides)

# -- chat state -----------------------------------------------------------------------------------------------------
ANSWERS_KEPT = 50             # per chat: the bot's latest answers whose subject and document a reply to them follows
CLARIFIES_KEPT = 50           # per chat: clarify messages already answered (a second press answers nothing)

"""What the active worker of a node tells its sibling workers, so their reads need no round trip.

With ``workers = N`` every worker is a whole server, and a standby worker answers a read only
once it has applied every change acknowledged before the read arrived. Between nodes that
takes a round trip through PostgreSQL per batch of reads (a sync marker, pg_notify.py). Between
the processes of one node it can be a memory read: the active worker keeps an ``ActiveSlot``
in memory shared by every worker (created by the parent before it forks) holding

- ``term``: the HA term it holds;
- ``seq``: the sequence number of its last change announcement that committed, stored
  *before* the writes it covers are acknowledged (pg_notify.ChangeNotifier); and
- ``valid_until``: a read lease, on the machine's monotonic clock (one clock for all workers):
  ``READ_LEASE`` after the moment just before a statement on the lock's own database session
  last succeeded (core/ha.py heartbeats every ``HEARTBEAT``). That session holds the lock's
  advisory lock, so no other node can have taken the lock before that moment.

A standby worker whose listener has applied the announcement ``seq`` of ``term`` (and has, for
this term and listener connection, once synced with a marker: it covers what earlier terms
acknowledged) knows it has every change acknowledged before it read the slot, as long as the
lease is valid: a node that takes the lock over from a holder whose lease may still run waits
``GRACE`` (more than ``READ_LEASE``) before it acknowledges anything (core/ha.py), and an old
holder cannot announce after the takeover (its announcements check the term, pg_notify.py).

The slot is guarded by a process-shared semaphore (uncontended: no system call), which also
orders the memory accesses between processes. Only terms that grow are accepted, so a late
write from a worker that lost the lock never overwrites its successor's slot.

A worker killed inside that microsecond critical section would leave the semaphore taken for
good, so nobody waits on it without a bound, and each way out of a wait that runs out is safe:
a reader treats the slot as invalid (the marker path, for good in that process); a heartbeat
just does not renew; ``publish`` raises ``SlotUnavailable`` (the write is reported failed,
never acknowledged); ``revoke`` gives up only after ``READ_LEASE`` has passed since it was
called, when any lease it was to end has run out anyway.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass

READ_LEASE = 1.0  # seconds a heartbeat vouches for the lock holder
HEARTBEAT = 0.2  # seconds between heartbeats on the lock's session
GRACE = READ_LEASE * 1.1 + 0.1  # a new holder's wait before acknowledging (clock-rate margin)

_TERM, _SEQ, _UNTIL, _REVOKED = 0, 1, 2, 3
_READ_WAIT = 0.05  # seconds a reader or a heartbeat waits for the slot
_PUBLISH_WAIT = 0.5  # seconds a write's announcement waits for it
_REVOKE_WAIT = READ_LEASE * 1.1 + 0.1  # past any lease granted before the call (one clock)


class SlotUnavailable(Exception):
    """The slot stayed locked (its holder died inside the lock): the write is not acknowledged."""


@dataclass(frozen=True, slots=True)
class SlotState:
    """One consistent reading of the slot."""

    term: int
    seq: int
    valid_until_ns: int

    def valid(self) -> bool:
        """A term is published and its read lease has not run out."""
        return self.term > 0 and time.monotonic_ns() < self.valid_until_ns


class ActiveSlot:
    """The node's shared record of its active worker: term, last announcement, read lease."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._lock = context.Lock()
        # term, seq, valid_until (monotonic ns), the last term whose lease was revoked
        self._values = context.RawArray("q", 4)
        self._stuck = False  # this process once waited the slot out: never trust it again

    def read(self) -> SlotState:
        """The slot as it is now (an invalid state when it cannot be read)."""
        if self._stuck or not self._lock.acquire(timeout=_READ_WAIT):
            self._stuck = True
            return _UNREADABLE
        try:
            values = self._values
            return SlotState(values[_TERM], values[_SEQ], values[_UNTIL])
        finally:
            self._lock.release()

    def publish(self, term: int, seq: int) -> None:
        """Announcement ``seq`` of ``term`` committed (a new term starts without a lease);
        raises ``SlotUnavailable`` when the slot cannot be written."""
        if not self._lock.acquire(timeout=_PUBLISH_WAIT):
            raise SlotUnavailable
        try:
            values = self._values
            if term > values[_TERM]:
                values[_TERM], values[_SEQ], values[_UNTIL] = term, seq, 0
            elif term == values[_TERM] and seq > values[_SEQ]:
                values[_SEQ] = seq
        finally:
            self._lock.release()

    def renew(self, term: int, valid_until_ns: int) -> None:
        """Extend the read lease of ``term`` (ignored once a later term was published, or
        this one revoked: a heartbeat in flight during a step-down must not renew it)."""
        if not self._lock.acquire(timeout=_READ_WAIT):
            return  # not renewed: the lease runs out and readers use the marker
        try:
            values = self._values
            if term <= values[_REVOKED]:
                return
            if term > values[_TERM]:
                values[_TERM], values[_SEQ] = term, 0
            if term == values[_TERM] and valid_until_ns > values[_UNTIL]:
                values[_UNTIL] = valid_until_ns
        finally:
            self._lock.release()

    def revoke(self, term: int) -> None:
        """``term``'s holder is stepping down or lost the lock: end its lease now, for good
        (or, when the slot stays locked, return once any lease of it has run out)."""
        if not self._lock.acquire(timeout=_REVOKE_WAIT):
            return
        try:
            values = self._values
            values[_REVOKED] = max(values[_REVOKED], term)
            if values[_TERM] <= term:
                values[_UNTIL] = 0
        finally:
            self._lock.release()


_UNREADABLE = SlotState(0, 0, 0)

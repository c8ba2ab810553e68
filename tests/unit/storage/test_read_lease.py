"""The active worker's shared slot: terms only grow, a revoked lease stays revoked, and
every forked worker sees what one of them wrote."""

from __future__ import annotations

import os
import time

import pytest

from sealbox.storage.read_lease import READ_LEASE, ActiveSlot, SlotUnavailable


def _soon() -> int:
    return time.monotonic_ns() + 60 * 10**9


def test_a_lease_is_valid_only_for_its_term_until_revoked() -> None:
    slot = ActiveSlot()
    assert not slot.read().valid()  # nothing published
    slot.publish(3, 10)
    assert slot.read().seq == 10
    assert not slot.read().valid()  # a new term starts without a lease
    slot.renew(3, _soon())
    assert slot.read().valid()
    slot.publish(3, 9)  # older announcements never move it back
    assert slot.read().seq == 10
    slot.renew(3, time.monotonic_ns() - 1)  # never shortened by a late heartbeat
    assert slot.read().valid()

    slot.revoke(3)
    assert not slot.read().valid()
    slot.renew(3, _soon())  # a heartbeat still in flight at a step-down
    assert not slot.read().valid()


def test_an_old_term_never_overwrites_its_successor() -> None:
    slot = ActiveSlot()
    slot.renew(4, _soon())
    slot.publish(5, 1)
    slot.publish(4, 99)  # the worker that lost the lock, late
    slot.renew(4, _soon())
    state = slot.read()
    assert (state.term, state.seq) == (5, 1)
    assert not state.valid()
    slot.revoke(4)  # revoking the old term leaves the new one alone
    slot.renew(5, _soon())
    assert slot.read().valid()


def test_a_forked_worker_sees_the_slot_the_parent_created() -> None:
    slot = ActiveSlot()
    pid = os.fork()
    if pid == 0:  # the "active worker"
        code = 1
        try:
            slot.publish(7, 42)
            slot.renew(7, _soon())
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    state = slot.read()
    assert (state.term, state.seq) == (7, 42)
    assert state.valid()


def test_a_slot_left_locked_by_a_dead_worker_is_never_trusted_nor_waited_on_forever() -> None:
    """A worker killed inside the critical section leaves the semaphore taken: readers fall
    back (invalid), a write is refused, a heartbeat skips, and revoke returns only once any
    lease granted before it has run out."""
    slot = ActiveSlot()
    slot.publish(2, 5)
    slot.renew(2, time.monotonic_ns() + 10**9 // 2)
    pid = os.fork()
    if pid == 0:  # takes the slot's lock and dies holding it
        slot._lock.acquire()
        os._exit(0)
    os.waitpid(pid, 0)
    assert not slot.read().valid()
    assert not slot.read().valid()  # at once from now on
    with pytest.raises(SlotUnavailable):
        slot.publish(2, 6)
    slot.renew(2, _soon())  # returns without renewing
    started = time.monotonic()
    slot.revoke(2)
    assert time.monotonic() - started >= READ_LEASE

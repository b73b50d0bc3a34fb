"""Party access codes name their record (the first group, not secret), so wrong codes are throttled per party:
five wrong codes for one party neither lock nor slow the case's other parties, guessing still waits longer each
time, an unknown party and a wrong code get one message, and codes issued before the number keep working under
the old per-case throttle (issue 18, point 9; docs/security.md). SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.uow import unit_scope
from tests.web.conftest import CASE, OTHER_CASE, csrf_token, login
from xunpai.services import accounts as accounts_service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.web import LoginThrottle, PartyAccess
from xunpai.storage.unit_of_work import UnitOfWork

CODE = re.compile(r"^[A-HJ-KMNP-Z2-9]{4}(-[A-HJ-KMNP-Z2-9]{4}){3}$")
WRONG = accounts_service.WRONG_PARTY_LOGIN


def _sign_in(engine, code, *, address="10.0.0.1", now=None, case=CASE):
    return accounts_service.authenticate_party(UnitOfWork(engine), case, code, address=address, now=now or now_local())


def _wrong(code: str) -> str:
    """The same party's number with another secret."""
    return code[:5] + ("AAAA-BBBB-CCCC" if code[5:] != "AAAA-BBBB-CCCC" else "DDDD-EEEE-FFFF")


def test_a_code_is_its_records_number_and_a_secret(engine, seeded):
    assert CODE.match(seeded.party_code) and CODE.match(seeded.applicant_code), seeded.party_code
    with unit_scope(engine) as uow:
        numbers = {a.code_id for a in uow.session.scalars(select(PartyAccess).where(PartyAccess.case_number == CASE))}
    assert numbers == {seeded.party_code[:4], seeded.applicant_code[:4]}
    assert _sign_in(engine, seeded.party_code.lower().replace("-", "")).user is not None  # as typed by hand


def test_five_wrong_codes_for_one_party_do_not_slow_the_other_parties(engine, seeded):
    now = now_local()
    for _ in range(5):
        result = _sign_in(engine, _wrong(seeded.party_code), now=now)
        assert result.user is None and result.reason == WRONG
    assert result.locked_until is not None  # the guesser of that party waits now
    other = _sign_in(engine, seeded.applicant_code, now=now)  # the same machine, the same second
    assert other.user is not None and other.locked_until is None
    with unit_scope(engine) as uow:
        keys = [t.key for t in uow.session.scalars(select(LoginThrottle))]
    assert not any(seeded.applicant_code[:4] in k for k in keys)  # nothing was counted against the other party
    assert not any(k.startswith("case") for k in keys)  # nor against the case


def test_guessing_one_partys_code_waits_longer_each_time_and_never_for_good(engine, seeded):
    now = now_local()
    throttle = accounts_service.THROTTLES["party_pair"]
    waits = []
    for _ in range(throttle.free + 2):  # each guess after the previous wait ended
        result = _sign_in(engine, _wrong(seeded.party_code), now=now)
        assert result.reason == WRONG
        waits.append(result.locked_until - now if result.locked_until else timedelta(0))
        now += waits[-1] + timedelta(milliseconds=1)
    assert waits == [timedelta(0)] * (throttle.free - 1) + [timedelta(seconds=2), timedelta(seconds=4),
                                                            timedelta(seconds=8)]
    now -= waits[-1]
    waiting = _sign_in(engine, seeded.party_code, now=now)  # even the right code waits at the guesser's machine
    assert waiting.user is None and "过于频繁" in waiting.reason
    assert _sign_in(engine, seeded.party_code, now=now, address="10.2.2.2").user is not None  # the party elsewhere
    assert _sign_in(engine, seeded.party_code, now=now + timedelta(seconds=8)).user is not None  # the wait ends


def test_many_machines_guessing_one_party_hold_it_up_a_minute_at_most(engine, seeded):
    now = now_local()
    for i in range(40):
        _sign_in(engine, _wrong(seeded.party_code), address=f"10.9.0.{i}", now=now)
    waiting = _sign_in(engine, seeded.party_code, address="10.3.3.3", now=now)
    assert waiting.user is None and waiting.locked_until - now <= timedelta(minutes=1)
    assert _sign_in(engine, seeded.applicant_code, address="10.3.3.3", now=now).user is not None
    assert _sign_in(engine, seeded.party_code, address="10.3.3.3", now=now + timedelta(seconds=61)).user is not None


def test_many_parties_guessed_from_one_machine_are_slowed_by_its_address(engine, seeded):
    now = now_local()
    for i in range(accounts_service.THROTTLES["address"].free):
        _sign_in(engine, f"{'ABCDEFGHJKMNPQRSTUVWXYZ'[i]}ZZZ-AAAA-BBBB-CCCC", now=now)  # a new number each time
    waiting = _sign_in(engine, seeded.applicant_code, now=now)
    assert waiting.user is None and "过于频繁" in waiting.reason


@pytest.mark.parametrize("code", ["ZZZZ-AAAA-BBBB-CCCC", "ABC", "", "ZZZZ-AAAA-BBBB-CCCC-DDDD"])
def test_an_unknown_party_and_a_wrong_code_get_one_message(engine, seeded, code):
    assert _sign_in(engine, code).reason == _sign_in(engine, _wrong(seeded.party_code)).reason == WRONG


def test_a_code_of_another_case_or_a_deactivated_party_gets_the_same_message(engine, seeded):
    assert _sign_in(engine, seeded.other_party_code).reason == WRONG  # OTHER_CASE's code typed for CASE
    assert _sign_in(engine, seeded.other_party_code, case=OTHER_CASE).user is not None
    with unit_scope(engine) as uow:
        access = uow.session.scalar(select(PartyAccess).where(PartyAccess.code_id == seeded.party_code[:4]))
        accounts_service.update_user(uow, access.user_id, active=False, actor="admin")
    assert _sign_in(engine, seeded.party_code).reason == WRONG


def test_a_code_issued_before_the_number_keeps_working_under_the_case_throttle(engine, seeded):
    """An old code (three groups, no number: ``code_id`` empty, as ``web_0003`` leaves them) still signs in; its
    wrong guesses are throttled per case, and slow only the case's old codes, never the numbered ones."""
    old = "HJKM-NPQR-STUV"
    with unit_scope(engine) as uow:
        access = uow.session.scalar(select(PartyAccess).where(PartyAccess.code_id == seeded.party_code[:4]))
        access.code_id, access.code_hash = None, accounts_service.hash_secret("HJKMNPQRSTUV")
    now = now_local()
    assert _sign_in(engine, old.lower(), now=now).user is not None
    for _ in range(accounts_service.THROTTLES["case_pair"].free):
        result = _sign_in(engine, "AAAA-BBBB-CCCC", now=now)
        assert result.reason == WRONG
    assert "过于频繁" in _sign_in(engine, old, now=now).reason  # old codes of the case wait at that machine
    assert _sign_in(engine, seeded.applicant_code, now=now).user is not None  # a numbered code does not


def test_the_admin_page_shows_the_code_with_its_number_and_the_numbers_of_issued_codes(client, seeded):
    login(client, "admin")
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "action": "party", "case_number": CASE,
                                                 "party_role": "interested_party", "party_name": "赵某"})
    text = response.get_data(as_text=True)
    code = re.search(r'<dd class="code">([^<]+)</dd>', text).group(1)
    assert CODE.match(code) and f"第一组“{code[:4]}”是该当事人查询码的编号" in text
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f'<span class="code">{code[:4]}</span>' in listing and seeded.party_code[5:] not in listing


def test_a_chosen_code_must_have_four_groups_and_a_free_number(engine, seeded):
    with pytest.raises(accounts_service.AccountError, match="四组"):
        accounts_service.issue_party_access(UnitOfWork(engine), case_number=CASE, party_role="interested_party",
                                            party_name="赵某", code="AAAA-BBBB-CCCC")
    with pytest.raises(accounts_service.AccountError, match="开头"):
        accounts_service.issue_party_access(UnitOfWork(engine), case_number=CASE, party_role="interested_party",
                                            party_name="赵某", code=seeded.party_code[:5] + "AAAA-BBBB-CCCC")


def test_an_unknown_party_costs_the_same_work_as_a_wrong_code(engine, seeded):
    """One password hash either way (the code's number picks the one record); measured as the staff sign-in's
    test does, each try from its own address and hour so that no throttle answers early."""
    import statistics
    import time

    def cost(code, n=5):
        runs = []
        for i in range(n):
            start = time.perf_counter()
            _sign_in(engine, code, address=f"10.4.0.{i}", now=now_local() + timedelta(hours=i))
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    cost(_wrong(seeded.party_code), 1), cost("ZZZZ-AAAA-BBBB-CCCC", 1)  # warm both paths
    known, unknown = cost(_wrong(seeded.party_code)), cost("ZZZZ-AAAA-BBBB-CCCC")
    assert 0.5 < known / unknown < 2, (known, unknown)


def test_a_reissued_code_replaces_the_partys_earlier_one(engine, seeded):
    """A lost or disclosed notice is answered by a new code: the party's earlier account ends with its sessions,
    the other parties of the case keep theirs, and the ledger names the replaced code's number."""
    from tests.web.conftest import DEBTOR_ID

    assert _sign_in(engine, seeded.party_code).user is not None
    _user, new_code = accounts_service.issue_party_access(UnitOfWork(engine), case_number=CASE, id_number=DEBTOR_ID,
                                                          actor="admin")
    assert _sign_in(engine, seeded.party_code, address="10.0.0.7").user is None  # the old notice no longer works
    assert _sign_in(engine, new_code, address="10.0.0.8").user is not None
    assert _sign_in(engine, seeded.applicant_code, address="10.0.0.9").user is not None
    with unit_scope(engine) as uow:
        from xunpai.storage.models.ledger import LedgerEntry
        entry = uow.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "account.party_code")
                                    .order_by(LedgerEntry.id.desc())).first()
    payload = entry.payload if isinstance(entry.payload, dict) else __import__("json").loads(entry.payload)
    assert payload["replaced"] == [seeded.party_code[:4]]


@pytest.mark.parametrize("username", ["judge1", "clerk1"])
def test_only_an_administrator_issues_codes_or_manages_accounts(engine, seeded, username):
    from xunpai.services.authority import WriteRefused

    with pytest.raises(WriteRefused, match="无权签发当事人查询码"):
        accounts_service.issue_party_access(UnitOfWork(engine), case_number=CASE, party_role="interested_party",
                                            party_name="钱某", actor=username)
    with pytest.raises(WriteRefused, match="无权创建账户"):
        accounts_service.create_user(UnitOfWork(engine), username="x-new", display_name="新", role="judge",
                                     court_code="浙1081", password="Gx7#pq92kLm!",
                                     actor=username)
    with unit_scope(engine) as uow:
        from xunpai.storage.models.accounts import User
        assert uow.session.scalars(select(User).where(User.username == "x-new")).first() is None
        assert not uow.session.scalars(select(PartyAccess).where(PartyAccess.party_name == "钱某")).all()
        from xunpai.storage.models.ledger import LedgerEntry
        denied = uow.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "web.denied",
                                                               LedgerEntry.actor == username)).all()
    assert len(denied) == 2  # each refusal logged once

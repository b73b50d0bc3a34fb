"""Accounts: users of a court (judge, clerk, party, administrator), passwords, lockout after repeated failed
sign-ins, the access codes a court issues to parties, and API tokens.

Passwords and access codes are stored only as werkzeug salted hashes; API tokens only as SHA-256.
Every account change and every lockout goes to the ledger.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from auction import court_code as court_codes
from auction.case_number import InvalidCaseNumber, parse
from auction.case_number import validate as validate_case_number
from xunpai.services import authority
from xunpai.storage import ledger
from xunpai.storage.models.accounts import ROLES, Court, InquiryLimit, User
from xunpai.storage.models.web import ApiToken, DenialMinute, LoginThrottle, PartyAccess
from xunpai.storage.repositories import accounts as accounts_repo
from xunpai.storage.repositories.constraints import add_unless_refused
from xunpai.storage.unit_of_work import UnitOfWork

ADMINS = ("admin",)  # who manages accounts, party codes, courts and inquiry limits (the admin pages)

MIN_PASSWORD_LENGTH = 8
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4: 3 = "safely unguessable: moderate protection from offline attacks"
WRONG_LOGIN = "用户名或密码不正确。"
WRONG_PARTY_LOGIN = "案号或查询码不正确。查询码见法院送达的《当事人网上查询告知书》。"


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins of one kind of key: the first ``free`` go unhindered, then each makes the next attempt wait
    twice as long as the one before, up to ``cap`` (a delay, never a lockout: the wait ends by itself)."""

    free: int
    cap: timedelta

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(self.cap, timedelta(seconds=2 ** min(failures - self.free + 1, 20)))


# Per account and client address together (a guesser at one machine), per address (a guesser of many accounts),
# per account alone with a short cap (many machines guessing one account; its owner waits a minute at most).
# Parties the same way, the party named by its code's first group (the record's non-secret identifier): per party
# and address, per address, per party alone with the short cap; wrong codes for one party slow no other party of
# the case. Codes issued before the identifier existed (12 characters) cannot be told apart by party: they are
# throttled per case and address and per case (the short cap), and only those codes of the case are slowed.
THROTTLES = {"pair": Throttle(3, timedelta(minutes=15)), "address": Throttle(20, timedelta(minutes=15)),
             "account": Throttle(10, timedelta(minutes=1)), "party_pair": Throttle(5, timedelta(minutes=15)),
             "party": Throttle(10, timedelta(minutes=1)), "case_pair": Throttle(5, timedelta(minutes=15)),
             "case": Throttle(20, timedelta(minutes=1))}
PASSWORD_HASH_METHOD = "pbkdf2:sha256:600000"  # OWASP 2023 guidance for PBKDF2-HMAC-SHA256
PARTY_ROLES = {"applicant": "申请执行人", "debtor": "被执行人", "interested_party": "利害关系人"}
# Access codes avoid characters that are confused when read aloud or copied from paper (0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_ID_LENGTH = 4  # the first group: which party access of the case (not secret)
CODE_SECRET_LENGTH = 12  # the three groups after it: the secret (31^12, about 59 bits, as the codes before)
LEGACY_CODE_LENGTH = 12  # a code issued before the identifier: the secret alone
# A dummy hash so that an unknown user name costs the same time as a wrong password.
_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    if PASSWORD_HASH_METHOD not in _dummy_hashes:
        _dummy_hashes[PASSWORD_HASH_METHOD] = hash_secret("xunpai-dummy-password")
    return _dummy_hashes[PASSWORD_HASH_METHOD]

ledger.register_kind("account.create", "创建账户")
ledger.register_kind("account.password", "修改密码")
ledger.register_kind("account.locked", "账户锁定")
ledger.register_kind("account.login", "登录")
ledger.register_kind("account.party_code", "签发当事人查询码")
ledger.register_kind("account.api_token", "签发接口令牌")
ledger.register_kind("account.update", "修改账户")
ledger.register_kind("account.limits", "修改询价限制")


class AccountError(ValueError):
    """A user-caused problem with an account operation; the message is Chinese and says what is expected."""


class UnknownUser(LookupError):
    """No account with that id."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: ``user`` when it succeeded, else a Chinese ``reason``."""

    user: User | None
    reason: str = ""
    locked_until: datetime | None = None


def _user(session, user: User | int) -> User:
    if isinstance(user, User):
        return user
    found = session.get(User, user) if user is not None else None
    if found is None:
        raise UnknownUser(user)
    return found


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=PASSWORD_HASH_METHOD)


def create_user(uow: UnitOfWork, *, username: str, display_name: str, role: str, court_code: str | None,
                password: str, actor: str = "", now: datetime | None = None) -> User:
    with uow:
        authority.require(uow, actor, None, what="创建账户", roles=ADMINS)
        session = uow.session
        username = (username or "").strip()
        if not username:
            raise AccountError("未填写用户名。")
        if role not in ROLES:
            raise AccountError(f"角色“{role}”不存在。应为：{', '.join(ROLES)}。")
        if role != "admin" and not court_code:
            raise AccountError("法官、书记员和当事人账户必须属于一个法院。")
        if court_code and session.get(Court, court_code) is None:
            raise AccountError(f"法院代字“{court_code}”不存在，请先在“法院与辖区”中添加该法院。")
        password_problem(password, username, display_name)
        if accounts_repo.username_taken(session, username):
            raise AccountError(f"用户名“{username}”已被使用，请换一个。")
        user = User(username=username, display_name=display_name or username, role=role, court_code=court_code,
                    password_hash=hash_secret(password), active=True, failed_logins=0,
                    created_at=now or ledger.now_local())
        session.add(user)
        session.flush()
        if role == "judge":
            session.add(InquiryLimit(user_id=user.id, allowed_zones=[], daily_count=50, hour_from=8, hour_to=18))
        ledger.append(session, "account.create", {"username": username, "role": role}, actor=actor,
                      court_code=court_code or "")
        uow.commit()
        return user


def set_password(uow: UnitOfWork, user: User | int, password: str, *, actor: str = "") -> None:
    with uow:
        session = uow.session
        user = _user(session, user)
        password_problem(password, user.username, user.display_name)
        user.password_hash = hash_secret(password)
        user.failed_logins = 0
        user.locked_until = None
        user.session_version = (user.session_version or 0) + 1  # every session signed in before ends
        ledger.append(session, "account.password", {"username": user.username}, actor=actor,
                      court_code=user.court_code or "")
        uow.commit()


def password_problem(password: str, username: str = "", display_name: str = "") -> None:
    """Refuse a weak password (AccountError, Chinese): shorter than 8, blank, containing the user name, or one
    zxcvbn (offline, its own lists of common passwords, names and patterns) rates below 3 of 4."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位，且不能全是空格。")
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        raise AccountError("密码不能包含用户名。")
    rating = zxcvbn(password[:100], user_inputs=[u for u in (username, display_name) if u])
    if rating["score"] < MIN_PASSWORD_SCORE:
        raise AccountError("密码太容易被猜中（常用密码、简单规律、重复或键盘序列）；请换一个更长、无规律的密码，"
                           "例如由几个不相关的词和数字组成。")


def _client_keys(kind: str, name: str, address: str) -> dict[str, str]:
    name = (name or "").strip().lower()
    address = (address or "").strip() or "-"
    if kind == "staff":
        return {"pair": f"pair:{name}|{address}", "address": f"address:{address}", "account": f"account:{name}"}
    if kind == "party":  # name: case number | the code's first group
        return {"party_pair": f"party_pair:{name}|{address}", "address": f"address:{address}",
                "party": f"party:{name}"}
    return {"case_pair": f"case_pair:{name}|{address}", "address": f"address:{address}", "case": f"case:{name}"}


def _waiting(session, keys: dict[str, str], now: datetime) -> datetime | None:
    """Until when a sign-in through these keys must wait (None: it may go on now)."""
    rows = accounts_repo.throttles(session, list(keys.values()))
    until = [r.blocked_until for r in rows.values() if r.blocked_until and r.blocked_until > now]
    return max(until) if until else None


def _count_failure(session, keys: dict[str, str], now: datetime) -> datetime | None:
    """Count one failed sign-in on every key; returns until when the next attempt must wait (None: no wait)."""
    rows = accounts_repo.throttles(session, list(keys.values()))
    for kind, key in keys.items():
        row = rows.get(key)
        if row is None:
            row = rows[key] = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(row)
        elif row.last_failure_at < now - timedelta(hours=24):  # a day without failures starts afresh
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = THROTTLES[kind].delay(row.failures)
        row.blocked_until = now + wait if wait else None
    session.flush()
    until = [r.blocked_until for r in rows.values() if r.blocked_until]
    return max(until) if until else None


def _wait_reason(until: datetime, now: datetime) -> str:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    wait = f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"
    return f"登录尝试过于频繁，请 {wait}后再试（{until:%H:%M:%S} 起）。"


def authenticate(uow: UnitOfWork, username: str, password: str, *, address: str = "",
                 now: datetime | None = None) -> SignIn:
    """Check a user name and password (staff accounts). An unknown name and a wrong password get the same
    message after the same work (a password hash checked either way). Failures are counted per account and client
    address, per address and per account; past a few, the next attempt waits, twice as long each time, up to a
    cap (``THROTTLES``): a delay that ends by itself, so nobody can lock another user out for long."""
    with uow:
        session = uow.session
        now = now or ledger.now_local()
        keys = _client_keys("staff", username, address)
        until = _waiting(session, keys, now)
        if until is not None:
            check_password_hash(_dummy_hash(), password or "")  # the same work as any attempt
            uow.commit()
            return SignIn(None, _wait_reason(until, now), until)
        user = accounts_repo.user_by_username(session, (username or "").strip())
        if user is None or user.role == "party":
            check_password_hash(_dummy_hash(), password or "")  # the same work as for a wrong password
            correct = False
        else:
            correct = check_password_hash(user.password_hash, password or "")
        if not correct:
            until = _count_failure(session, keys, now)
            uow.commit()
            return SignIn(None, WRONG_LOGIN, until)
        if not user.active:  # only the holder of the right password learns that the account is deactivated
            uow.commit()
            return SignIn(None, "该账户已停用，请联系管理员。")
        accounts_repo.clear_throttles(session, [keys["pair"], keys["account"]])
        user.failed_logins = 0
        user.locked_until = None
        ledger.append(session, "account.login", {"username": user.username}, actor=user.username,
                      court_code=user.court_code or "")
        uow.commit()
        return SignIn(user)


def new_access_code(code_id: str) -> str:
    """A party's access code as printed on the court's notice: ``code_id`` (the record's identifier within the
    case, not secret) and the secret, in groups of four, e.g. ``A7K3-XXXX-XXXX-XXXX``."""
    raw = code_id + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_SECRET_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_code_id(session, case_number: str) -> str:
    """A first group no other party access of the case has (a few dozen parties among 31^4 identifiers)."""
    while True:
        code_id = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_ID_LENGTH))
        if not accounts_repo.party_code_id_taken(session, case_number, code_id):
            return code_id


def issue_party_access(uow: UnitOfWork, *, case_number: str, party_role: str = "", party_name: str = "",
                       id_number: str = "", actor: str = "", code: str | None = None,
                       now: datetime | None = None) -> tuple[User, str]:
    """Create a party account for one case and return it with the access code (shown once, stored hashed).

    With ``id_number``, the party is the one registered in the case under that ID number (needed to file
    objections: the procedure identifies objectors by ID, 参考价规定 art. 22); the role and name come from
    the registration."""
    with uow:
        authority.require(uow, actor, None, what="签发当事人查询码", roles=ADMINS)
        session = uow.session
        case_number = validate_case_number(case_number)
        party_id = None
        if (id_number or "").strip():
            wanted = "".join((id_number or "").split()).upper()
            party = accounts_repo.case_party_by_id_number(session, case_number, wanted)
            if party is None:
                raise AccountError(f"案件{case_number}中没有证件号码为“{id_number}”的当事人或利害关系人，"
                                   "请先在案件中登记。")
            party_id, party_role, party_name = party.id, party.role, party.name
        if party_role not in PARTY_ROLES:
            raise AccountError(f"当事人身份“{party_role}”不存在。应为：{'、'.join(PARTY_ROLES.values())}。")
        if not (party_name or "").strip():
            raise AccountError("未填写当事人姓名或名称。")
        court = _court_of_case(session, case_number)
        now = now or ledger.now_local()
        if code:  # a code chosen by the caller (the demo, tests): its first group is the identifier
            normalized = _normalize_code(code)
            if len(normalized) != CODE_ID_LENGTH + CODE_SECRET_LENGTH:
                raise AccountError(f"查询码应为 {CODE_ID_LENGTH + CODE_SECRET_LENGTH} 个字母或数字（四组，每组四个）。")
            code_id = normalized[:CODE_ID_LENGTH]
            if accounts_repo.party_code_id_taken(session, case_number, code_id):
                raise AccountError(f"案件{case_number}中已有以“{code_id}”开头的查询码，请换一个。")
        else:
            code_id = _new_code_id(session, case_number)
            code = new_access_code(code_id)
        # a new code replaces the party's earlier ones: their accounts end, with their sessions (a lost or
        # disclosed notice is answered by reissuing the code)
        replaced = []
        for access, old in accounts_repo.earlier_accesses_of_party(session, case_number, party_id=party_id,
                                                                   party_role=party_role,
                                                                   party_name=party_name.strip()):
            if old.active:
                old.active = False
                old.session_version = (old.session_version or 0) + 1
                replaced.append(access.code_id or "旧式")
        user = User(username=f"party-{secrets.token_hex(6)}", display_name=party_name.strip(), role="party",
                    court_code=court, password_hash="!", active=True, failed_logins=0, created_at=now)
        session.add(user)
        session.flush()
        session.add(PartyAccess(user_id=user.id, case_number=case_number, party_role=party_role,
                                party_name=party_name.strip(), party_id=party_id, code_id=code_id,
                                code_hash=hash_secret(_normalize_code(code)), issued_at=now, issued_by=actor))
        ledger.append(session, "account.party_code", {"party_name": party_name.strip(), "party_role": party_role,
                                                      **({"replaced": replaced} if replaced else {})},
                      actor=actor, court_code=court, case_number=case_number)
        uow.commit()
        return user, code


def _court_of_case(session, case_number: str) -> str:
    court = parse(case_number).court_code
    if session.get(Court, court) is None:
        raise AccountError(f"案号中的法院代字“{court}”不在本系统的法院名单中。")
    return court


def authenticate_party(uow: UnitOfWork, case_number: str, code: str, *, address: str = "",
                       now: datetime | None = None) -> SignIn:
    """Sign a party in with the case number and the access code the court issued. The code's first group names
    the party's access record (not secret), so failures are throttled per party and client address, per address,
    and per party with a short cap (``THROTTLES``): guessing one party's code slows the guesser, holds that party
    up a minute at most and no other party of the case at all. An unknown party, a wrong code and a deactivated
    account get the same message after the same work (one hash checked either way). A code issued before the
    identifier existed (12 characters) is checked against the case's codes of that kind, throttled per case."""
    with uow:
        session = uow.session
        now = now or ledger.now_local()
        try:
            case_number = validate_case_number(case_number)
        except InvalidCaseNumber as exc:
            result = SignIn(None, str(exc))
            uow.commit()
            return result
        normalized = _normalize_code(code)
        if len(normalized) == LEGACY_CODE_LENGTH:
            return _authenticate_legacy_party(uow, case_number, normalized, address, now)
        code_id = normalized[:CODE_ID_LENGTH]
        keys = _client_keys("party", f"{case_number}|{code_id}", address)
        until = _waiting(session, keys, now)
        if until is not None:
            check_password_hash(_dummy_hash(), normalized)  # the same work as any attempt
            uow.commit()
            return SignIn(None, _wait_reason(until, now), until)
        found = None
        if len(normalized) == CODE_ID_LENGTH + CODE_SECRET_LENGTH:
            found = accounts_repo.party_access_by_code_id(session, case_number, code_id)
        if found is None:
            check_password_hash(_dummy_hash(), normalized)  # the same work as for a wrong code
            correct = False
        else:
            access, user = found
            correct = check_password_hash(access.code_hash, normalized) and bool(user.active)
        if correct:
            return _party_signed_in(uow, user, case_number, [keys["party_pair"], keys["party"]])
        until = _count_failure(session, keys, now)
        uow.commit()
        return SignIn(None, WRONG_PARTY_LOGIN, until)


def _party_signed_in(uow: UnitOfWork, user: User, case_number: str, cleared: list[str]) -> SignIn:
    accounts_repo.clear_throttles(uow.session, cleared)
    ledger.append(uow.session, "account.login", {"username": user.username, "party": True},
                  actor=user.username, court_code=user.court_code or "", case_number=case_number)
    uow.commit()
    return SignIn(user)


def _authenticate_legacy_party(uow: UnitOfWork, case_number: str, normalized: str, address: str,
                               now: datetime) -> SignIn:
    """A 12-character code (issued before codes named their record): it cannot be told apart by party, so it is
    throttled per case and address, per address and per case (short cap), as before; only the case's codes of
    this kind are slowed. Reissuing the party's code gives it the per-party throttle."""
    session = uow.session
    keys = _client_keys("legacy", case_number, address)
    until = _waiting(session, keys, now)
    if until is not None:
        check_password_hash(_dummy_hash(), normalized)
        uow.commit()
        return SignIn(None, _wait_reason(until, now), until)
    rows = accounts_repo.legacy_party_accesses_of_case(session, case_number)
    if not rows:
        check_password_hash(_dummy_hash(), normalized)
    for access, user in rows:
        if check_password_hash(access.code_hash, normalized) and user.active:
            return _party_signed_in(uow, user, case_number, [keys["case_pair"]])
    until = _count_failure(session, keys, now)
    uow.commit()
    return SignIn(None, WRONG_PARTY_LOGIN, until)


def party_cases(uow: UnitOfWork, user_id: int) -> list[PartyAccess]:
    with uow:
        return accounts_repo.party_accesses_of_user(uow.session, user_id)


TOKEN_DAYS = 90  # an API token's default lifetime
MAX_TOKEN_DAYS = 366


def issue_api_token(uow: UnitOfWork, user: User | int, *, label: str = "", actor: str = "",
                    now: datetime | None = None, days: int = TOKEN_DAYS) -> str:
    """A new bearer token for the JSON API, valid for ``days`` days, returned once; only its SHA-256 is kept."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"令牌有效期 {days} 天不成立：应为 1 至 {MAX_TOKEN_DAYS} 天。")
    with uow:
        session = uow.session
        user = _user(session, user)
        token = "xp_" + secrets.token_urlsafe(32)
        now = now or ledger.now_local()
        expires = now + timedelta(days=days)
        session.add(ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                             label=label, created_at=now, revoked=False, expires_at=expires))
        ledger.append(session, "account.api_token", {"username": user.username, "label": label,
                                                     "expires_at": expires}, actor=actor,
                      court_code=user.court_code or "")
        uow.commit()
        return token


def user_for_token(uow: UnitOfWork, token: str, *, now: datetime | None = None) -> User | None:
    """The active account of an unrevoked, unexpired token."""
    with uow:
        if not token:
            return None
        return accounts_repo.user_for_token_digest(uow.session, hashlib.sha256(token.encode()).hexdigest(),
                                                   now or ledger.now_local())


ledger.register_kind("account.api_token_revoked", "吊销接口令牌")
ledger.register_kind("account.logout", "退出登录")


def api_tokens(uow: UnitOfWork, viewer_id: int) -> list[tuple[ApiToken, User]]:
    """The tokens a user may see: their own; an administrator sees every account's."""
    with uow:
        session = uow.session
        viewer = _user(session, viewer_id)
        return accounts_repo.api_tokens(session, None if viewer.role == "admin" else viewer.id)


def revoke_api_token(uow: UnitOfWork, token_id: int, *, viewer_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke a token: its owner or an administrator may; it stops working at once."""
    with uow:
        session = uow.session
        viewer = _user(session, viewer_id)
        token = session.get(ApiToken, token_id)
        if token is None or (viewer.role != "admin" and token.user_id != viewer.id):
            raise AccountError(f"接口令牌 {token_id} 不存在，或不是您的令牌。")
        if not token.revoked:
            owner = _user(session, token.user_id)
            token.revoked, token.revoked_at, token.revoked_by = True, now or ledger.now_local(), viewer.username
            ledger.append(session, "account.api_token_revoked", {"token_id": token.id, "label": token.label,
                                                                 "username": owner.username},
                          actor=viewer.username, court_code=owner.court_code or "")
        uow.commit()
        return token


def end_sessions(uow: UnitOfWork, user_id: int) -> None:
    """Logout: every web session of the account ends on the server (the session version moves on)."""
    with uow:
        user = _user(uow.session, user_id)
        user.session_version = (user.session_version or 0) + 1
        ledger.append(uow.session, "account.logout", {"username": user.username}, actor=user.username,
                      court_code=user.court_code or "")
        uow.commit()


ledger.register_kind("court.save", "保存法院与辖区")


def save_court(uow: UnitOfWork, *, code: str, name: str, zones: list[str], policy: dict | None = None,
               actor: str = "") -> Court:
    """Create or update a court: its name, its jurisdiction (估价分区 zones) and its policy switches."""
    with uow:
        authority.require(uow, actor, None, what="保存法院与辖区", roles=ADMINS)
        session = uow.session
        try:
            code = court_codes.validate(code)
        except court_codes.InvalidCourtCode as exc:
            raise AccountError(str(exc)) from None
        if not (name or "").strip():
            raise AccountError("未填写法院名称。")
        court = session.get(Court, code)
        if court is None:
            court = Court(code=code, name=name.strip(), zones=list(zones), policy=dict(policy or {}))
            session.add(court)
        else:
            court.name = name.strip()
            court.zones = list(zones)
            if policy is not None:
                court.policy = {**(court.policy or {}), **policy}
        session.flush()
        ledger.append(session, "court.save", {"code": code, "name": court.name, "zones": court.zones,
                                              "policy": court.policy}, actor=actor, court_code=code)
        uow.commit()
        return court


def update_user(uow: UnitOfWork, user: User | int, *, active: bool | None = None, unlock: bool = False,
                display_name: str | None = None, actor: str = "") -> User:
    with uow:
        authority.require(uow, actor, None, what="修改账户", roles=ADMINS)
        session = uow.session
        user = _user(session, user)
        changes: dict = {}
        if active is not None and user.active != active:
            user.active = active
            changes["active"] = active
            if not active:
                user.session_version = (user.session_version or 0) + 1  # its sessions end now
        if unlock:  # the waits its failed sign-ins caused end now
            user.locked_until = None
            user.failed_logins = 0
            name = user.username.lower()
            accounts_repo.clear_throttles(session, [f"account:{name}"], account_prefix=f"pair:{name}|")
            changes["unlocked"] = True
        if display_name and display_name != user.display_name:
            user.display_name = display_name
            changes["display_name"] = display_name
        if changes:
            ledger.append(session, "account.update", {"username": user.username, **changes}, actor=actor,
                          court_code=user.court_code or "")
        uow.commit()
        return user


def set_inquiry_limits(uow: UnitOfWork, user: User | int, *, daily_count: int, hour_from: int, hour_to: int,
                       actor: str = "") -> InquiryLimit:
    """A judge's inquiry limits: how many quotes a day, and between which hours (0-24; the court's zones stay)."""
    with uow:
        authority.require(uow, actor, None, what="设置询价限制", roles=ADMINS)
        session = uow.session
        user = _user(session, user)
        if not 0 <= hour_from < hour_to <= 24:
            raise AccountError(f"询价时段 {hour_from}-{hour_to} 时不成立：应为 0 至 24 之间、开始早于结束的整点。")
        if daily_count < 1:
            raise AccountError(f"每日询价次数 {daily_count} 不成立：至少 1 次。")
        limit = session.get(InquiryLimit, user.id)
        if limit is None:
            limit = InquiryLimit(user_id=user.id, allowed_zones=[])
            session.add(limit)
        limit.daily_count, limit.hour_from, limit.hour_to = daily_count, hour_from, hour_to
        ledger.append(session, "account.limits", {"username": user.username, "daily_count": daily_count,
                                                  "hour_from": hour_from, "hour_to": hour_to},
                      actor=actor, court_code=user.court_code or "")
        uow.commit()
        return limit


class SignedIn(NamedTuple):
    """The active account behind a web session or an API token: the account, the cases a party account may see
    (none for staff), and what a quote reads before it locks the ledger (``inquiry.quote_for_user``'s
    ``context``: read with the account, so a quote request asks for neither again)."""

    user: User
    party_accesses: list[PartyAccess]
    quote_context: accounts_repo.QuoteContext


def signed_in(uow: UnitOfWork, user_id: int, session_version: int | None = None) -> SignedIn | None:
    """The active account behind a web session. Every signed-in page asks: a read-only block (on PostgreSQL it
    begins the transaction the page's next block goes on in: one connection and one BEGIN per request), one
    statement for staff. With ``session_version`` (what the session was signed in under) a session older than the
    account's has ended."""
    with uow.reading():
        session = uow.session
        found = accounts_repo.user_and_quote_context_by_id(session, user_id)
        if found is None:
            return None
        user, context = found
        if not user.active:
            return None
        if session_version is not None and session_version != (user.session_version or 0):
            return None
        rows = accounts_repo.party_accesses_of_user(session, user_id) if user.role == "party" else []
        return SignedIn(user, rows, context)


def change_password(uow: UnitOfWork, user_id: int, old_password: str, new_password: str, repeated: str,
                    *, address: str = "") -> str:
    """A staff member changes their own password; returns "" or the Chinese reason it was refused. A wrong old
    password counts as a failed sign-in (and may lock the account), and that count is kept."""
    with uow:
        session = uow.session
        user = _user(session, user_id)
        result = authenticate(uow, user.username, old_password, address=address)
        if result.user is None:
            uow.commit()
            return "原密码不正确。" if not result.locked_until else result.reason
        if new_password != repeated:
            uow.commit()
            return "两次输入的新密码不一致。"
        set_password(uow, user, new_password, actor=user.username)
        uow.commit()
        return ""


def staff_and_parties(uow: UnitOfWork) -> tuple[list[User], list[tuple[PartyAccess, User]], list[Court]]:
    """The administrators' user list: staff accounts, party access codes with their accounts, and the courts."""
    with uow:
        session = uow.session
        return accounts_repo.staff_users(session), accounts_repo.all_party_accesses(session), list_courts(uow)


def username_of(uow: UnitOfWork, user_id: int) -> str:
    with uow:
        return _user(uow.session, user_id).username


def list_courts(uow: UnitOfWork) -> list[Court]:
    with uow:
        return accounts_repo.all_courts(uow.session)


ledger.register_kind("web.denied", "越权访问被拒绝")


ledger.register_kind("web.denied_repeated", "越权访问被拒绝（同一分钟内的其余次数）")


def record_denial(uow: UnitOfWork, payload: dict, *, actor: str, court_code: str = "", case_number: str = "",
                  now: datetime | None = None) -> None:
    """Write a refused request to the ledger in a transaction of its own (it must survive the refusal), one entry
    per user per minute: the first refusal of a minute is an entry; the others of that minute are counted, and the
    count is written as one ``web.denied_repeated`` entry once the minute is over (200 refused requests in a
    second make two entries, not 200)."""
    now = now or ledger.now_local()
    minute = now.replace(second=0, microsecond=0)
    with uow:
        uow.rollback()  # nothing the refused request did is kept
        session = uow.session
        _summarize_denials(session, minute)
        row = accounts_repo.denial_minute(session, actor, minute)
        if row is not None:
            row.count += 1
        else:
            row = DenialMinute(actor=actor, minute=minute, count=1, court_code=court_code, summarized=False)
            if not add_unless_refused(session, row):  # a concurrent first refusal of this minute won
                row = accounts_repo.denial_minute(session, actor, minute)
                row.count += 1
            else:
                ledger.append(session, "web.denied", payload, actor=actor, court_code=court_code,
                              case_number=case_number, recorded_at=now)
        uow.commit()


def _summarize_denials(session, before: datetime) -> int:
    written = 0
    for row in accounts_repo.denial_minutes_to_summarize(session, before):
        ledger.append(session, "web.denied_repeated",
                      {"minute": row.minute, "count": row.count, "after_first": row.count - 1},
                      actor=row.actor, court_code=row.court_code or "")
        row.summarized = True
        written += 1
    accounts_repo.forget_denial_minutes(session, before - timedelta(days=1))
    return written


def summarize_denials(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Write the counts of the minutes that are over (the job worker runs this every few minutes)."""
    minute = (now or ledger.now_local()).replace(second=0, microsecond=0)
    with uow:
        written = _summarize_denials(uow.session, minute)
        uow.commit()
        return written


def active_user(uow: UnitOfWork, username: str) -> User | None:
    """The active account with that user name (a command's operator), or None."""
    with uow:
        user = accounts_repo.user_by_username(uow.session, username)
        return user if user is not None and user.active else None


def get_court(uow: UnitOfWork, code: str) -> Court | None:
    with uow:
        return uow.session.get(Court, code)


def token_account(uow: UnitOfWork, token: str) -> SignedIn | None:
    """The active account a bearer token belongs to (as ``signed_in``), or None: unknown, revoked, expired, or an
    inactive account. Every API request runs this: one block and one statement for staff (nested blocks would
    each cost a savepoint, two round trips)."""
    if not token:
        return None
    with uow.reading():
        session = uow.session
        found = accounts_repo.user_and_quote_context_for_token_digest(
            session, hashlib.sha256(token.encode()).hexdigest(), ledger.now_local())
        if found is None:  # unknown, revoked, expired, or an inactive account
            return None
        user, context = found
        rows = accounts_repo.party_accesses_of_user(session, user.id) if user.role == "party" else []
        return SignedIn(user, rows, context)

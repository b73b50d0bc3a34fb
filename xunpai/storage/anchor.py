"""Checkpoints that anchor the ledger outside its database (issue 18): whoever can write the database can
rewrite the hash chain and its head consistently, so the chain alone proves nothing against them. A checkpoint
is the ledger's head (seq and hash) at a moment, signed with an Ed25519 key (``cryptography``) that is kept
outside the database, appended as one JSON line to an append-only anchor file and, when the administrator names
one, to a second location (another disk, a share, a write-once store).

- Written every ``every`` entries (after the transaction that made the entry commits: the head read at commit is
  what the checkpoint names) and at every export of the 台账 (the export carries the same checkpoint).
- Each line names the hash of the line before it (``prev``), so a line removed from the middle of the file breaks
  the checkpoint chain; each is signed over all its fields, so an edited line fails its signature.
- ``verify`` walks the checkpoints against the database: a checkpoint whose seq is past the last entry names a
  truncation, one whose hash differs from the entry's names a rewritten range (between the last checkpoint that
  still matches and this one), a head behind the last checkpoint or a missing head row names a missing head.

The private key is a PEM file (PKCS 8, unencrypted) with owner-only permissions (0600): ``generate_key`` creates
one, or the administrator supplies theirs; a key file readable by group or others is refused. The public key is
written beside it (``<key>.pub``); a verifier needs only the public key and the anchor file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import stat
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from filelock import FileLock
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from xunpai.storage.models.ledger import LedgerEntry, LedgerHead

log = logging.getLogger(__name__)
FORMAT = 1
GENESIS = "0" * 64
DEFAULT_EVERY = 1000
_DUE = "xunpai_anchor_due"
_HEADS = "xunpai_anchor_heads"


class AnchorError(Exception):
    """The anchoring cannot work as configured (message in Chinese: which file, what is wrong, what to do)."""


# --- keys -------------------------------------------------------------------------------------------------------

def generate_key(path: str | Path) -> Path:
    """A new Ed25519 private key at ``path`` (created owner-only, never overwritten) and its public key beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AnchorError(f"签名密钥文件 {path} 已存在，未覆盖；如需更换，请先移走旧密钥（旧校验点仍需旧公钥核对）。") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path(path).write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def public_path(key_path: str | Path) -> Path:
    return Path(str(key_path) + ".pub")


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    path = Path(path)
    if not path.exists():
        raise AnchorError(f"台账签名密钥 {path} 不存在；请用 xunpai ledger keygen 生成，或设置 XUNPAI_LEDGER_KEY 指向管理员保管的密钥。")
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AnchorError(f"台账签名密钥 {path} 的权限为 {stat.filemode(mode)}，其他用户可读；"
                          f"请执行 chmod 600 {path} 后重试。")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise AnchorError(f"台账签名密钥 {path} 不是可读取的 PEM 私钥（应为 Ed25519、未加密的 PKCS 8）。") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"台账签名密钥 {path} 不是 Ed25519 密钥。")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    path = Path(path)
    if not path.exists():
        raise AnchorError(f"台账签名公钥 {path} 不存在。")
    data = path.read_bytes()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = load_private_key(path).public_key()  # a private key file also gives its public key
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorError(f"台账签名公钥 {path} 不是 Ed25519 公钥。")
    return key


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --- checkpoints ----------------------------------------------------------------------------------------------------

def _body(fields: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in fields.items() if k != "sig"}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def line_hash(line: str) -> str:
    return hashlib.sha256(line.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    number: int
    seq: int
    hash: str
    at: str
    reason: str
    prev: str
    key: str
    sig: str
    line: str = field(default="", compare=False)

    def fields(self) -> dict[str, Any]:
        return {"v": FORMAT, "n": self.number, "seq": self.seq, "hash": self.hash, "at": self.at,
                "reason": self.reason, "prev": self.prev, "key": self.key, "sig": self.sig}

    @property
    def reason_name(self) -> str:
        return REASONS.get(self.reason, self.reason)


REASONS = {"every": "定期校验点", "export": "导出台账", "manual": "手动校验点"}


def read_lines(lines: Sequence[str]) -> list[Checkpoint]:
    """Checkpoints from the lines of an anchor file; a line that is not a checkpoint is kept with number -1."""
    out = []
    for raw in lines:
        if not raw.strip():
            continue
        try:
            d = json.loads(raw)
            out.append(Checkpoint(int(d["n"]), int(d["seq"]), str(d["hash"]), str(d["at"]), str(d["reason"]),
                                  str(d["prev"]), str(d["key"]), str(d["sig"]), raw.strip()))
        except (ValueError, KeyError, TypeError, AttributeError):
            out.append(Checkpoint(-1, -1, "", "", "", "", "", "", raw.strip()))
    return out


def read_checkpoints(path: str | Path) -> list[Checkpoint]:
    """The checkpoints of an anchor file in order ([] when it does not exist)."""
    path = Path(path)
    return read_lines(path.read_text(encoding="utf-8").splitlines()) if path.exists() else []


def check_signature(cp: Checkpoint, public_key: Ed25519PublicKey) -> str:
    """"" when the checkpoint is signed by ``public_key``, else the problem in Chinese."""
    wanted = fingerprint(public_key)
    if cp.key != wanted:
        return f"第 {cp.number} 个校验点不是本台账的密钥签署的（密钥指纹 {cp.key}，应为 {wanted}）。"
    try:
        public_key.verify(base64.b64decode(cp.sig), _body(cp.fields()))
    except (InvalidSignature, ValueError):
        return f"第 {cp.number} 个校验点的签名不符（校验点被改动）。"
    return ""


@dataclass
class Anchoring:
    """Where checkpoints go and the key that signs them: an administrator's set-up (``xunpai.config``)."""

    key_path: Path
    anchor_path: Path
    copy_path: Path | None = None
    every: int = DEFAULT_EVERY
    public_key_path: Path | None = None  # default: <key>.pub

    def public_key(self) -> Ed25519PublicKey:
        return load_public_key(self.public_key_path or public_path(self.key_path))

    def paths(self) -> list[Path]:
        return [self.anchor_path] + ([self.copy_path] if self.copy_path else [])

    def write(self, seq: int, head_hash: str, reason: str, *, at: datetime | None = None) -> Checkpoint:
        """Sign the head (seq, hash) and append it to the anchor file and the second location (file-locked, so
        concurrent processes keep one chain of lines)."""
        key = load_private_key(self.key_path)
        self.anchor_path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.anchor_path) + ".lock", timeout=30):
            existing = read_checkpoints(self.anchor_path)
            last = existing[-1] if existing else None
            fields = {"v": FORMAT, "n": (last.number + 1) if last else 1, "seq": seq, "hash": head_hash,
                      "at": (at or datetime.now().astimezone()).isoformat(timespec="seconds"), "reason": reason,
                      "prev": line_hash(last.line) if last else GENESIS, "key": fingerprint(key.public_key())}
            fields["sig"] = base64.b64encode(key.sign(_body(fields))).decode()
            line = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            for path in self.paths():
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
        return Checkpoint(fields["n"], seq, head_hash, fields["at"], reason, fields["prev"], fields["key"],
                          fields["sig"], line)


def check_file(checkpoints: Sequence[Checkpoint], public_key: Ed25519PublicKey, label: str) -> str:
    """"" when every line of an anchor file is a checkpoint signed by ``public_key``, numbered in order, each
    naming the line before it; else the first problem, in Chinese."""
    prev, expected = GENESIS, 1
    for cp in checkpoints:
        if cp.number < 0:
            return f"{label}中有一行不是校验点（被改动）：{cp.line[:60]}"
        problem = check_signature(cp, public_key)
        if problem:
            return label + problem
        if cp.number != expected:
            return f"{label}缺少第 {expected} 个校验点（第 {cp.number} 个之前的行被删除）。"
        if cp.prev != prev:
            return f"{label}第 {cp.number} 个校验点与前一个不衔接（中间的校验点被删除或替换）。"
        prev, expected = line_hash(cp.line), expected + 1
    return ""


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    checkpoints: int
    anchored_seq: int = 0  # the highest seq a valid checkpoint vouches for
    problem: str = ""


def verify(session: Session, anchoring: Anchoring) -> AnchorCheck:
    """Check the anchor file(s) and then the database against every checkpoint (see the module docstring)."""
    try:
        public_key = anchoring.public_key()
    except AnchorError as exc:
        return AnchorCheck(False, 0, problem=str(exc))
    main = read_checkpoints(anchoring.anchor_path)
    if not anchoring.anchor_path.exists():
        return AnchorCheck(False, 0, problem=f"校验点文件 {anchoring.anchor_path} 不存在（被删除或移走）；"
                                             "请从第二保存位置或备份中恢复后再校验。")
    problem = check_file(main, public_key, "校验点文件")
    if problem:
        return AnchorCheck(False, len(main), problem=problem)
    checkpoints = main
    if anchoring.copy_path is not None:
        copy = read_checkpoints(anchoring.copy_path)
        problem = check_file(copy, public_key, "第二保存位置的校验点文件")
        if problem:
            return AnchorCheck(False, len(main), problem=problem)
        if [c.line for c in copy[:len(main)]] != [c.line for c in main[:len(copy)]]:
            return AnchorCheck(False, len(main), problem="校验点文件与第二保存位置的内容不一致（其中一处被改写）。")
        if len(copy) > len(main):
            return AnchorCheck(False, len(main), problem=f"校验点文件只有 {len(main)} 个校验点，第二保存位置有 "
                                                         f"{len(copy)} 个：校验点文件的末尾被截去。")
        checkpoints = main if len(main) >= len(copy) else copy
    head = session.get(LedgerHead, 1)
    last_seq = session.scalar(select(func.max(LedgerEntry.seq))) or 0
    matched = 0  # seq of the last checkpoint that still matches
    for cp in checkpoints:
        if cp.seq > last_seq:
            return AnchorCheck(False, len(checkpoints), matched,
                               f"台账被截短：第 {cp.number} 个校验点（{cp.at}，{cp.reason_name}）记录到第 {cp.seq} 条，"
                               f"数据库中只有 {last_seq} 条；第 {last_seq + 1} 至 {cp.seq} 条及以后的记录缺失。")
        if cp.seq == 0:
            continue
        stored = session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == cp.seq))
        if stored != cp.hash:
            return AnchorCheck(False, len(checkpoints), matched,
                               f"台账第 {matched + 1} 至 {cp.seq} 条之间的记录被改写（重算了哈希链）：第 {cp.seq} 条的哈希"
                               f"与第 {cp.number} 个校验点（{cp.at}）不符。")
        matched = cp.seq
    if head is None:
        return AnchorCheck(False, len(checkpoints), matched, "台账头记录（ledger_head）缺失。")
    if checkpoints and head.seq < checkpoints[-1].seq:
        return AnchorCheck(False, len(checkpoints), matched,
                           f"台账头记录停在第 {head.seq} 条，早于最后一个校验点（第 {checkpoints[-1].seq} 条）：头记录被回拨。")
    return AnchorCheck(True, len(checkpoints), matched)


# --- which engine anchors where, and the checkpoint every N entries ---------------------------------------------

_by_engine: weakref.WeakKeyDictionary[Engine, Anchoring] = weakref.WeakKeyDictionary()


def attach(engine: Engine, anchoring: Anchoring | None) -> None:
    """Anchor the ledger of ``engine`` (None: stop anchoring it). Entry points call this once per engine."""
    if anchoring is None:
        _by_engine.pop(engine, None)
    else:
        _by_engine[engine] = anchoring


def configured(*, key: str | Path | None, anchor: str | Path | None, copy: str | Path | None = None,
               every: int = DEFAULT_EVERY, create_key: bool = False) -> Anchoring | None:
    """The anchoring an administrator set up (``xunpai.config.ledger_anchoring``), or None without an anchor file.
    ``create_key``: generate the key when it does not exist yet (the embedded default's key in the data folder);
    otherwise a missing or loosely readable key stops the start with a Chinese message."""
    if not anchor or not key:
        return None
    key_path = Path(key)
    if create_key and not key_path.exists():
        generate_key(key_path)
    load_private_key(key_path)  # refuse a missing or group-readable key now, not at the first checkpoint
    if every < 1:
        raise AnchorError(f"校验点间隔 {every} 不成立：应为正整数（每多少条台账记录写一个校验点）。")
    return Anchoring(key_path, Path(anchor), Path(copy) if copy else None, every)


def anchoring_of(session_or_engine: Session | Engine) -> Anchoring | None:
    engine = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    engine = getattr(engine, "engine", engine)
    return _by_engine.get(engine)


def note_append(session: Session, seq: int) -> None:
    """Called by ``ledger.append``: at every ``every``-th entry a checkpoint is due when the transaction commits."""
    anchoring = anchoring_of(session)
    if anchoring is not None and seq % anchoring.every == 0:
        session.info[_DUE] = anchoring


@event.listens_for(Session, "before_commit")
def _read_head(session: Session) -> None:
    anchoring = session.info.pop(_DUE, None)
    if anchoring is not None:
        head = session.get(LedgerHead, 1, populate_existing=True)
        if head is not None:
            session.info.setdefault(_HEADS, []).append((anchoring, head.seq, head.hash))


@event.listens_for(Session, "after_commit")
def _write_checkpoints(session: Session) -> None:
    for anchoring, seq, head_hash in session.info.pop(_HEADS, []):
        try:
            anchoring.write(seq, head_hash, "every")
        except Exception:  # the entries are committed; a missed checkpoint is logged, the next one covers them
            log.exception("could not write the ledger checkpoint at seq %s to %s", seq, anchoring.anchor_path)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_transaction():  # the outermost transaction ended: nothing of it is committed
        session.info.pop(_DUE, None)
        session.info.pop(_HEADS, None)


def checkpoint_now(session: Session, anchoring: Anchoring, reason: str) -> Checkpoint:
    """A checkpoint of the head as this session sees it (an export, or an administrator's ``ledger checkpoint``)."""
    head = session.get(LedgerHead, 1, populate_existing=True)
    if head is None:
        raise AnchorError("台账头记录（ledger_head）缺失，不能写校验点；请先运行 xunpai ledger verify 查明原因。")
    return anchoring.write(head.seq, head.hash, reason)

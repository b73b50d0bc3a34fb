"""A reproducible, auditable lottery (摇号): 参考价规定 art. 16 (three appraisal firms and their order drawn at
random when the parties do not agree) and art. 34 (the 摇号过程 recorded and kept).

Protocol (commit, then draw, then anyone can verify):
1. ``commit(candidates, seed)`` before the draw: the candidate list is fixed and the seed is committed to by
   its SHA-256 digest; both are recorded (e.g. in the ledger) *before* the seed is revealed.
2. ``draw(commitment, seed, k)``: the seed must match the commitment; every candidate gets the key
   SHA-256("xunpai-lottery-v1" NUL seed NUL candidate) and the ``k`` smallest keys win, in that order. The
   result depends only on the seed and the set of candidates (not on their listed order or the machine).
3. ``verify(commitment, seed, k, result)``: recomputes 2. and checks the seed against the commitment.

The seed should be unpredictable when committed: ``new_seed()`` gives 256 random bits; a court may also use
a public value fixed after the commitment (e.g. a lottery draw number), appended to its own secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

ALGORITHM = "xunpai-lottery-v1"


class LotteryError(ValueError):
    """A lottery cannot be run as asked (the message says why, in Chinese)."""


@dataclass(frozen=True)
class Commitment:
    """What is recorded before the draw: the candidates, their digest and the seed's digest."""

    candidates: tuple[str, ...]
    candidates_digest: str
    seed_digest: str
    algorithm: str = ALGORITHM

    def as_dict(self) -> dict:
        return {"algorithm": self.algorithm, "candidates": list(self.candidates),
                "candidates_digest": self.candidates_digest, "seed_digest": self.seed_digest}

    @classmethod
    def from_dict(cls, data: dict) -> Commitment:
        commitment = cls(tuple(data["candidates"]), data["candidates_digest"], data["seed_digest"],
                         data.get("algorithm", ALGORITHM))
        if commitment.candidates_digest != _candidates_digest(commitment.candidates):
            raise LotteryError("摇号记录中的候选名单与其摘要不符，记录可能被改动。")
        return commitment


def new_seed() -> str:
    """256 random bits as hex, from the operating system's secure generator."""
    return secrets.token_hex(32)


def _seed_digest(seed: str) -> str:
    return hashlib.sha256(f"{ALGORITHM}\x00seed\x00{seed}".encode()).hexdigest()


def _candidates_digest(candidates: Sequence[str]) -> str:
    body = json.dumps(list(candidates), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _key(seed: str, candidate: str) -> str:
    return hashlib.sha256(f"{ALGORITHM}\x00{seed}\x00{candidate}".encode()).hexdigest()


def commit(candidates: Sequence[str], seed: str) -> Commitment:
    """Fix the candidate list and commit to ``seed``; record the result before revealing the seed."""
    names = tuple(str(c) for c in candidates)
    if not names:
        raise LotteryError("候选名单为空，无法摇号。")
    if any(not n.strip() for n in names):
        raise LotteryError("候选名单中有空白名称，每个候选者都应有名称。")
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise LotteryError(f"候选名单中有重复：{'、'.join(duplicates)}；每个候选者只能出现一次。")
    if not seed:
        raise LotteryError("摇号种子为空。")
    return Commitment(names, _candidates_digest(names), _seed_digest(seed))


def draw(commitment: Commitment, seed: str, k: int) -> list[str]:
    """The ``k`` winners in order; refuses a seed that does not match the commitment."""
    if not hmac.compare_digest(_seed_digest(seed), commitment.seed_digest):
        raise LotteryError("摇号种子与事先登记的承诺值不符，不能用该种子摇号。")
    if commitment.candidates_digest != _candidates_digest(commitment.candidates):
        raise LotteryError("候选名单与事先登记的摘要不符。")
    if not 1 <= k <= len(commitment.candidates):
        raise LotteryError(f"应抽取 1 至 {len(commitment.candidates)} 名，收到 {k}。")
    ranked = sorted(commitment.candidates, key=lambda c: (_key(seed, c), c))
    return ranked[:k]


def verify(commitment: Commitment, seed: str, k: int, result: Sequence[str]) -> bool:
    """True when ``seed`` matches the commitment and drawing ``k`` from it gives exactly ``result``."""
    try:
        return draw(commitment, seed, k) == list(result)
    except LotteryError:
        return False

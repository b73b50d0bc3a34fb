"""The auditable lottery (参考价规定 arts. 16, 34): commit before the draw, reproducible draw, verification."""

from __future__ import annotations

import hashlib

import pytest

from auction import lottery

FIRMS = [f"评估机构{i:02d}" for i in range(12)]


def test_draw_is_reproducible_and_verifiable():
    seed = lottery.new_seed()
    commitment = lottery.commit(FIRMS, seed)
    first = lottery.draw(commitment, seed, 3)
    assert first == lottery.draw(lottery.commit(FIRMS, seed), seed, 3)
    assert len(set(first)) == 3 and set(first) <= set(FIRMS)
    assert lottery.verify(commitment, seed, 3, first)


def test_draw_follows_the_published_rule():
    seed = "公开种子-2025"
    commitment = lottery.commit(FIRMS, seed)
    expected = sorted(FIRMS, key=lambda c: hashlib.sha256(f"xunpai-lottery-v1\x00{seed}\x00{c}".encode()).hexdigest())
    assert lottery.draw(commitment, seed, 3) == expected[:3]


def test_result_does_not_depend_on_the_listed_order():
    seed = "abc"
    assert lottery.draw(lottery.commit(FIRMS, seed), seed, 3) == \
        lottery.draw(lottery.commit(list(reversed(FIRMS)), seed), seed, 3)


def test_a_seed_other_than_the_committed_one_is_refused():
    commitment = lottery.commit(FIRMS, "secret-1")
    with pytest.raises(lottery.LotteryError, match="承诺"):
        lottery.draw(commitment, "secret-2", 3)
    assert not lottery.verify(commitment, "secret-2", 3, lottery.draw(commitment, "secret-1", 3))


def test_tampered_result_or_candidate_list_fails_verification():
    seed = "s"
    commitment = lottery.commit(FIRMS, seed)
    result = lottery.draw(commitment, seed, 3)
    assert not lottery.verify(commitment, seed, 3, list(reversed(result)))
    data = commitment.as_dict()
    data["candidates"] = data["candidates"][:-1] + ["后加入的机构"]
    with pytest.raises(lottery.LotteryError, match="摘要"):
        lottery.Commitment.from_dict(data)


def test_commitment_round_trips_through_a_record():
    commitment = lottery.commit(FIRMS, "x")
    assert lottery.Commitment.from_dict(commitment.as_dict()) == commitment


def test_every_candidate_can_win():
    winners = {lottery.draw(lottery.commit(FIRMS, str(i)), str(i), 1)[0] for i in range(300)}
    assert winners == set(FIRMS)


@pytest.mark.parametrize("candidates, message", [([], "为空"), (["A", "A"], "重复"), (["A", " "], "空白")])
def test_bad_candidate_lists_are_refused(candidates, message):
    with pytest.raises(lottery.LotteryError, match=message):
        lottery.commit(candidates, "seed")


def test_k_out_of_range_is_refused():
    commitment = lottery.commit(["A", "B"], "s")
    with pytest.raises(lottery.LotteryError):
        lottery.draw(commitment, "s", 3)

"""Service providers (辅助机构, 网拍规定 art. 7): the registry, assignments by a public lottery (摇号) and tasks
with due dates and reminders (催办). Wuxi manages 37 such firms: information, public lottery, task creation
and chasing (case collection, case 6).

The lottery uses ``auction.lottery`` (commit, then draw, then anyone can verify): ``commit_lottery`` fixes the
candidate list and the seed's digest and records them in the ledger, committed in its own transaction
before ``draw_lottery`` reveals the seed, so the record exists before anyone knows the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.cn import uscc

from auction import lottery
from xunpai.services.rows import require_row
from xunpai.storage import ledger
from xunpai.storage.models.custody import (
    CustodyItem,
    ProviderAssignment,
    ProviderLottery,
    ProviderTask,
    ServiceProvider,
)
from xunpai.storage.repositories import providers as repo
from xunpai.storage.unit_of_work import UnitOfWork

SERVICES = {"storage": "仓储保管", "transport": "运输", "viewing": "引领看样", "inspection": "检测鉴定",
            "cleaning": "清洗", "survey": "现场调查", "photography": "拍照摄像"}

for _kind, _name in {
    "provider.registered": "登记辅助机构", "provider.lottery_committed": "摇号登记（候选名单与种子承诺）",
    "provider.lottery_drawn": "摇号结果", "provider.task": "辅助机构任务", "provider.task_done": "辅助机构任务完成",
    "provider.reminder": "催办",
}.items():
    ledger.register_kind(_kind, _name)


class ProviderError(ValueError):
    """A registry or lottery step that cannot be taken (message in Chinese)."""


def _check_services(services: list[str]) -> None:
    unknown = [s for s in services if s not in SERVICES]
    if unknown or not services:
        raise ProviderError(f"服务类型“{'、'.join(unknown) or '（空）'}”无效，应为：" +
                            "、".join(f"{k}（{v}）" for k, v in SERVICES.items()))


def register(uow: UnitOfWork, *, name: str, services: list[str], credit_code: str | None = None,
             contact: str = "", phone: str = "", actor: str = "") -> ServiceProvider:
    with uow:
        session = uow.session
        name = name.strip()
        if not name:
            raise ProviderError("辅助机构名称不能为空。")
        _check_services(services)
        if credit_code:
            try:
                credit_code = uscc.validate(credit_code)
            except Exception:  # stdnum raises its own ValidationError subclasses
                raise ProviderError(f"统一社会信用代码“{credit_code}”无效，应为 18 位且校验位正确。") from None
        if repo.provider_by_name(session, name) is not None:
            raise ProviderError(f"辅助机构“{name}”已登记。")
        provider = ServiceProvider(name=name, credit_code=credit_code or None, services=services, contact=contact,
                                   phone=phone, active=True, created_at=ledger.now_local())
        session.add(provider)
        session.flush()
        ledger.append(session, "provider.registered", {"provider_id": provider.id, "name": name, "services": services,
                                                       "credit_code": credit_code}, actor=actor, purpose="辅助机构名册")
        uow.commit()
        return provider


def candidates(uow: UnitOfWork, service: str) -> list[ServiceProvider]:
    with uow:
        _check_services([service])
        providers = repo.all_providers(uow.session, active_only=True)
        return [p for p in providers if service in p.services]


def commit_lottery(uow: UnitOfWork, *, court_code: str, service: str, k: int, seed: str,
                   lot_id: int | None = None, item_id: int | None = None, actor: str = "") -> ProviderLottery:
    """Record the candidates and the seed's commitment (not the seed) before the draw."""
    with uow:
        session = uow.session
        names = [p.name for p in candidates(uow, service)]
        if len(names) < k:
            raise ProviderError(f"提供“{SERVICES[service]}”的在册辅助机构只有 {len(names)} 家，不足 {k} 家，无法摇号。")
        try:
            commitment = lottery.commit(names, seed)
        except lottery.LotteryError as exc:
            raise ProviderError(str(exc)) from None
        row = ProviderLottery(court_code=court_code, service=service, lot_id=lot_id, item_id=item_id,
                              commitment=commitment.as_dict(), k=k, committed_at=ledger.now_local())
        session.add(row)
        session.flush()
        ledger.append(session, "provider.lottery_committed", {"lottery_id": row.id, "service": service, "k": k,
                                                              **commitment.as_dict()},
                      actor=actor, court_code=court_code, purpose="摇号选定辅助机构")
        uow.commit()
        return row


def draw_lottery(uow: UnitOfWork, lottery_id: int, seed: str, *, actor: str = "") -> list[ProviderAssignment]:
    """Reveal the seed, draw, and assign the winners (in drawn order)."""
    with uow:
        session = uow.session
        row = require_row(uow, ProviderLottery, lottery_id, ProviderError(f"摇号 {lottery_id} 不存在。"))
        if row.result is not None:
            raise ProviderError(f"摇号 {lottery_id} 已于 {row.drawn_at} 开奖，结果：{'、'.join(row.result)}。")
        try:
            commitment = lottery.Commitment.from_dict(row.commitment)
            winners = lottery.draw(commitment, seed, row.k)
        except lottery.LotteryError as exc:
            raise ProviderError(str(exc)) from None
        now = ledger.now_local()
        row.seed, row.result, row.drawn_at = seed, winners, now
        by_name = repo.providers_by_name(session, winners)
        assignments = []
        for name in winners:
            assignment = ProviderAssignment(provider_id=by_name[name].id, lottery_id=row.id, service=row.service,
                                            court_code=row.court_code, lot_id=row.lot_id, item_id=row.item_id,
                                            assigned_at=now)
            session.add(assignment)
            assignments.append(assignment)
        if row.item_id is not None and row.service == "storage":  # the item is now kept by the drawn firm
            session.get(CustodyItem, row.item_id).provider_id = by_name[winners[0]].id
        session.flush()
        ledger.append(session, "provider.lottery_drawn",
                      {"lottery_id": row.id, "seed": seed, "result": winners, "seed_digest": commitment.seed_digest,
                       "assignment_ids": [a.id for a in assignments]},
                      actor=actor, court_code=row.court_code, purpose="摇号选定辅助机构")
        uow.commit()
        return assignments


def verify_lottery(uow: UnitOfWork, lottery_id: int) -> bool:
    with uow:
        session = uow.session
        row = session.get(ProviderLottery, lottery_id)
        if row is None or row.result is None or row.seed is None:
            return False
        try:
            commitment = lottery.Commitment.from_dict(row.commitment)
        except lottery.LotteryError:
            return False
        return lottery.verify(commitment, row.seed, row.k, row.result)


def add_task(uow: UnitOfWork, assignment_id: int, title: str, due_on: date, *, actor: str = "") -> ProviderTask:
    with uow:
        session = uow.session
        assignment = require_row(uow, ProviderAssignment, assignment_id, ProviderError(f"委托 {assignment_id} 不存在。"))
        task = ProviderTask(assignment_id=assignment_id, title=title, due_on=due_on, reminders=0,
                            created_at=ledger.now_local())
        session.add(task)
        session.flush()
        ledger.append(session, "provider.task", {"task_id": task.id, "assignment_id": assignment_id, "title": title,
                                                 "due_on": due_on, "provider_id": assignment.provider_id},
                      actor=actor, court_code=assignment.court_code, purpose="辅助机构任务")
        uow.commit()
        return task


def complete_task(uow: UnitOfWork, task_id: int, done_on: date, *, actor: str = "") -> ProviderTask:
    with uow:
        session = uow.session
        task = require_row(uow, ProviderTask, task_id, ProviderError(f"任务 {task_id} 不存在。"))
        if task.done_on is not None:
            raise ProviderError(f"任务 {task_id} 已于 {task.done_on} 完成。")
        task.done_on = done_on
        assignment = session.get(ProviderAssignment, task.assignment_id)
        ledger.append(session, "provider.task_done", {"task_id": task.id, "done_on": done_on,
                                                      "late_days": max(0, (done_on - task.due_on).days)},
                      actor=actor, court_code=assignment.court_code, purpose="辅助机构任务")
        uow.commit()
        return task


@dataclass(frozen=True)
class OverdueTask:
    task_id: int
    provider: str
    title: str
    due_on: date
    days_overdue: int
    reminders: int


def overdue(uow: UnitOfWork, today: date) -> list[OverdueTask]:
    """Open tasks whose due date is before ``today`` (a task due today is not yet overdue)."""
    with uow:
        rows = repo.open_tasks_due_before(uow.session, today)
        return [OverdueTask(t.id, name, t.title, t.due_on, (today - t.due_on).days, t.reminders) for t, name in rows]


def remind_overdue(uow: UnitOfWork, today: date, *, actor: str = "") -> list[OverdueTask]:
    """催办: one reminder per overdue task, counted on the task and recorded in the ledger."""
    with uow:
        session = uow.session
        chased = overdue(uow, today)
        now = ledger.now_local()
        for entry in chased:
            task = session.get(ProviderTask, entry.task_id)
            task.reminders += 1
            task.last_reminded_at = now
            assignment = session.get(ProviderAssignment, task.assignment_id)
            ledger.append(session, "provider.reminder",
                          {"task_id": task.id, "provider": entry.provider, "title": task.title, "due_on": task.due_on,
                           "days_overdue": entry.days_overdue, "reminder_number": task.reminders},
                          actor=actor, court_code=assignment.court_code, purpose="催办")
        result = [OverdueTask(e.task_id, e.provider, e.title, e.due_on, e.days_overdue, e.reminders + 1) for e in chased]
        uow.commit()
        return result


def list_providers(uow: UnitOfWork) -> list[ServiceProvider]:
    """The registered service firms (评估、拍卖辅助、保管等), by name."""
    with uow:
        return repo.all_providers(uow.session)


def provider_names(uow: UnitOfWork, provider_ids: list[int]) -> dict[int, str]:
    with uow:
        return repo.provider_names(uow.session, provider_ids)


def lottery_exists(uow: UnitOfWork, lottery_id: int) -> bool:
    with uow:
        return uow.session.get(ProviderLottery, lottery_id) is not None

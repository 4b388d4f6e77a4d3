"""For issues/tests/test_admin_idor.py, which walks every admin page of every registered model:
each activities ModelAdmin names, through `idor_outside(world, role)`, an object outside that
role's scope in the named test world and a text of it that must never show. Test support
only; the admin classes just point at these functions."""

import datetime

from django.utils import timezone

from issues.permissions import Actor


def _side(world, role):
    """The station outside the role's scope, and that station's deputy."""
    if role in ("deputy_b",):
        return world.railway_point, world.deputy_a
    return world.xiushan_station, world.deputy_b


def _admin(world) -> Actor:
    return Actor.of(world.admin)


def _item(world, role):
    from activities.models import ActivityItem
    from activities.services import activity_create, activity_hold, item_raise, promise_record

    station, deputy = _side(world, role)
    marker = f"越界事项{station.pk}：码头栏杆损坏"
    item = ActivityItem.objects.filter(case__content=marker).first()
    if item is None:
        today = timezone.localdate()
        activity = activity_create(
            actor=_admin(world),
            station_id=station.pk,
            kind="congress_questioning",
            theme=f"越界活动{station.pk}",
            date=today,
            deputy_ids=[deputy.pk],
        )
        activity_hold(actor=_admin(world), activity_id=activity.pk, minutes="越界纪要", attendance=3)
        item = item_raise(actor=_admin(world), activity_id=activity.pk, content=marker, title=marker)
        promise_record(
            actor=_admin(world),
            item_id=item.pk,
            measure="越界承诺",
            department_id=world.department.pk,
            deadline=today + datetime.timedelta(days=30),
        )
    return item, marker


def activity_outside(world, role):
    item, _marker = _item(world, role)
    return item.activity, item.activity.theme


def item_outside(world, role):
    return _item(world, role)


def rating_outside(world, role):
    from activities.models import ItemRating
    from activities.services import item_rate

    item, _marker = _item(world, role)
    _station, deputy = _side(world, role)
    rating = ItemRating.objects.filter(item=item).first() or item_rate(
        actor=_admin(world),
        item_id=item.pk,
        deputy_id=deputy.pk,
        rating="satisfied",
        comment=f"越界测评意见{item.activity.station_id}",
    )
    return rating, rating.comment


def return_visit_outside(world, role):
    from activities.models import ReturnVisit
    from activities.services import return_visit_record

    item, _marker = _item(world, role)
    visit = ReturnVisit.objects.filter(item=item).first() or return_visit_record(
        actor=_admin(world), item_id=item.pk, date=timezone.localdate(), note=f"越界回访记录{item.activity.station_id}"
    )
    return visit, visit.note


def rule_outside(world, role):
    from activities.models import DutyRule
    from activities.services import duty_rule_create

    station, _deputy = _side(world, role)
    note = f"越界轮值规则{station.pk}"
    rule = DutyRule.objects.filter(note=note).first() or duty_rule_create(
        actor=_admin(world),
        station_id=station.pk,
        day_of_month=15,
        valid_from=datetime.date(2030, 1, 1),
        valid_until=datetime.date(2030, 12, 31),
        note=note,
    )
    return rule, note

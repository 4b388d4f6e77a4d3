"""Demo activities, replayed through activities.services with `clock.frozen_at` like the cases:
秀山乡's 乡长有约 (one held with its inspection, one upcoming with an escalated case), 洋山镇's
大会问政 with its three preparatory meetings and follow-up supervision list, and a themed activity
and an evening talk at the 白泉镇 railway point. Each scenario is skipped when its main activity
exists, which makes seeding idempotent."""

import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from activities.models import Activity, DutyRule, Kind, MeetingType, TopicSource
from activities.services import (
    activity_close,
    activity_create,
    activity_hold,
    duty_rule_create,
    escalate_case_to_appointment,
    item_raise,
    item_rate,
    promise_mark_kept,
    promise_record,
    return_visit_record,
)
from issues import clock
from issues.models import Issue, State
from issues.permissions import Actor
from issues.services import issue_close_unevaluated
from stations import demo_data as data
from stations.demo_build import DemoWorld

YANGSHAN_SESSION = "年中人代会“大会问政”：民生实事与渔港建设"
XIUSHAN_APPOINTMENT = "乡长有约：渔港环境整治与渔民出行"
XIUSHAN_UPCOMING = "乡长有约：秀山大桥通行与海岛公交"
RAILWAY_THEMED = "主题活动：甬舟铁路征地拆迁政策进村入户"


class _Clock:
    """Local times relative to the seeding day."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.today = timezone.localdate(now)

    def day(self, offset: int) -> datetime.date:
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int = 10, minute: int = 0):
        moment = timezone.make_aware(datetime.datetime.combine(self.day(offset), datetime.time(hour, minute)))
        return clock.frozen_at(min(moment, self.now))


def seed_activities(world: DemoWorld, now: datetime.datetime) -> int:
    """Create the demo activities that are missing; returns how many scenarios were added."""
    c = _Clock(now)
    added = 0
    for theme, scenario in [
        (YANGSHAN_SESSION, _yangshan),
        (XIUSHAN_APPOINTMENT, _xiushan),
        (RAILWAY_THEMED, _railway),
    ]:
        if Activity.objects.filter(theme=theme).exists():
            continue
        with transaction.atomic():
            scenario(world, c)
            _close_unrated(theme, c)
        added += 1
    _shop_rules(world, c)
    return added


def _close_unrated(theme: str, c: _Clock) -> None:
    """What the scheduled sweeper would have done: an item's case is rated by deputies, not by a
    villager, so once its evaluation window passed it was closed as not evaluated."""
    replied = Issue.objects.filter(
        activity_item__activity__theme=theme, state=State.REPLIED, deadline__lt=c.now
    ).values_list("pk", "deadline")
    for issue_id, deadline in list(replied):
        with clock.frozen_at(deadline + timedelta(minutes=1)):
            issue_close_unevaluated(issue_id=issue_id)


def _department(world: DemoWorld, name: str):
    return next(d for d in world.departments if d.name == name)


def _yangshan(world: DemoWorld, c: _Clock) -> None:
    station = world.stations[data.YANGSHAN]
    staff = Actor.of(world.staff_of[data.YANGSHAN])
    deputies = [d for d, _kind in world.stationed[data.YANGSHAN]]
    construction = _department(world, "洋山镇建设办")
    social = _department(world, "洋山镇社会事务办")
    s = -70  # the session, 70 days ago
    with c.at(s - 20):
        session = activity_create(
            actor=staff,
            station_id=station.pk,
            kind=Kind.CONGRESS_QUESTIONING,
            theme=YANGSHAN_SESSION,
            topic_source=TopicSource.CONGRESS,
            date=c.day(s),
            start_time=datetime.time(9),
            place="洋山镇政府三楼会议室（问政台）",
            description="镇人大主席团组织，镇长现场接受代表问政；小洋山片区代表视频连线参加。",
            deputy_ids=[d.pk for d in deputies],
            officials=[("吕国庆", "洋山镇镇长"), ("方海涛", "洋山镇副镇长"), ("余晓红", "洋山镇建设办主任")],
        )
        meetings = [
            activity_create(
                actor=staff,
                station_id=station.pk,
                kind=Kind.CONGRESS_QUESTIONING,
                theme=theme,
                date=c.day(s + offset),
                place="洋山镇人大代表联络站",
                preparatory_for_id=session.pk,
                meeting_type=meeting_type,
                deputy_ids=[d.pk for d in deputies],
                officials=officials,
            )
            for theme, offset, meeting_type, officials in [
                ("政情通报会：上半年镇政府工作情况", -15, MeetingType.BRIEFING, [("吕国庆", "洋山镇镇长")]),
                ("工作部署会：大会问政议题征集与分工", -10, MeetingType.DEPLOYMENT, []),
                ("部门沟通会：问政事项会前对接", -4, MeetingType.DEPARTMENT_LIAISON, [("余晓红", "洋山镇建设办主任")]),
            ]
        ]
    for meeting, minutes in zip(
        meetings,
        [
            "镇政府通报上半年重点工作及民生实事进度，代表提出意见6条。",
            "确定问政议题五项，明确提问代表和答复部门，视频连线由小洋山片区代表参加。",
            "与建设办、社会事务办逐项对接问政事项，部门提前准备答复口径。",
        ],
        strict=True,
    ):
        with c.at((meeting.date - c.today).days, 15):
            activity_hold(actor=staff, activity_id=meeting.pk, minutes=minutes, attendance=9)

    questions = [
        ("大洋路路灯损坏", "大洋路沿线路灯损坏多处，渔民夜间回家看不清路。", "基础设施", construction, 30),
        ("小洋山码头候船室漏雨", "小洋山码头候船室屋顶漏雨，雨天旅客无处候船。", "基础设施", construction, 45),
        ("卫生院周末儿科值班", "镇卫生院周末没有儿科医生值班，孩子发烧要坐船去县城。", "教育医疗", social, 25),
        ("老年食堂午餐涨价", "老年食堂午餐价格上涨，独居老人负担加重。", "养老服务", social, 20),
        ("渔港防波堤加固", "渔港防波堤加固工程进度缓慢，台风季前能否完工？", "渔业生产", construction, 140),
    ]
    with c.at(s, 9, 30):
        activity_hold(
            actor=staff,
            activity_id=session.pk,
            minutes="代表就五项民生问题现场问政，镇长及部门负责人逐一作答并作出承诺，会后形成跟踪督办清单交镇政府办理。",
            attendance=38,
            attended_deputy_ids=[d.pk for d in deputies],
        )
        items = [
            item_raise(
                actor=staff,
                activity_id=session.pk,
                title=title,
                content=content,
                deputy_id=deputies[i % len(deputies)].pk,
                category_id=world.categories[category].pk,
            )
            for i, (title, content, category, _dept, _days) in enumerate(questions)
        ]
    with c.at(s, 11, 30):
        measures = [
            "全面排查大洋路路灯，更换损坏灯具并纳入日常巡查。",
            "对候船室屋顶进行防水翻修，施工期间设置临时候船点。",
            "与县人民医院建立周末儿科轮值和远程会诊机制。",
            "争取镇财政补贴，老年食堂午餐恢复原价。",
            "防波堤加固工程倒排工期，台风季前完成主体工程。",
        ]
        for item, measure, (_t, _c, _cat, dept, days) in zip(items, measures, questions, strict=True):
            promise_record(
                actor=staff, item_id=item.pk, measure=measure, department_id=dept.pk, deadline=c.day(s + days)
            )
    ratings = [
        ["satisfied", "satisfied"],
        ["satisfied", "basically_satisfied"],
        ["basically_satisfied", "satisfied"],
        None,  # item 4: see below
        ["satisfied", "satisfied"],
    ]
    with c.at(s + 2, 16):
        for item, given in zip(items, ratings, strict=True):
            for deputy, rating in zip(deputies, given or [], strict=False):
                item_rate(actor=staff, item_id=item.pk, deputy_id=deputy.pk, rating=rating)
        item_rate(actor=staff, item_id=items[3].pk, deputy_id=deputies[0].pk, rating="satisfied")
        item_rate(
            actor=staff,
            item_id=items[3].pk,
            deputy_id=deputies[1].pk,
            rating="unsatisfied",
            comment="只承诺“争取补贴”，没有明确时间，老人仍在多付钱。",
            new_deadline=c.day(s + 55),
        )
    with c.at(s + 7, 14):
        activity_close(actor=staff, activity_id=session.pk)
    steps = [
        (s + 20, lambda: promise_mark_kept(actor=staff, item_id=items[0].pk)),
        (
            s + 21,
            lambda: return_visit_record(
                actor=staff, item_id=items[0].pk, date=c.day(s + 21), note="回访沿线渔民，路灯已全部亮起。"
            ),
        ),
        (s + 35, lambda: promise_mark_kept(actor=staff, item_id=items[2].pk)),
        (
            s + 36,
            lambda: return_visit_record(
                actor=staff, item_id=items[2].pk, date=c.day(s + 36), note="轮值机制已运行，但比承诺晚了10天。"
            ),
        ),
        (s + 45, lambda: promise_mark_kept(actor=staff, item_id=items[1].pk)),
        (
            s + 50,
            lambda: promise_mark_kept(
                actor=staff, item_id=items[3].pk, note="镇财政按月补贴差额，老年食堂午餐已恢复原价。"
            ),
        ),
        (
            s + 51,
            lambda: return_visit_record(
                actor=staff, item_id=items[3].pk, date=c.day(s + 51), note="回访独居老人，午餐价格已恢复。"
            ),
        ),
        (s + 52, lambda: item_rate(actor=staff, item_id=items[3].pk, deputy_id=deputies[1].pk, rating="satisfied")),
    ]
    for offset, step in steps:
        with c.at(offset, 15):
            step()


def _xiushan(world: DemoWorld, c: _Clock) -> None:
    station = world.stations[data.XIUSHAN]
    staff = Actor.of(world.staff_of[data.XIUSHAN])
    names = ["俞晓梅", "贝秀娟", "胡建峰", "翁海燕"]
    deputies = [world.deputies[n] for n in names]
    yu = Actor.of(world.users["demo_deputy_b"])  # 俞晓梅 rates with her own account
    construction = _department(world, "秀山乡村镇建设办")
    a = -40
    with c.at(a - 14):
        appointment = activity_create(
            actor=staff,
            station_id=station.pk,
            kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
            theme=XIUSHAN_APPOINTMENT,
            topic_source=TopicSource.GOVERNMENT,
            date=c.day(a),
            start_time=datetime.time(14, 30),
            place="秀山乡人大代表联络站",
            description="政府点题：乡长到联络站听取代表对渔港环境整治和渔民出行的意见。",
            deputy_ids=[d.pk for d in deputies],
            officials=[("陆志明", "秀山乡乡长"), ("杨丽", "秀山乡村镇建设办主任")],
        )
        inspection = activity_create(
            actor=staff,
            station_id=station.pk,
            kind=Kind.INSPECTION,
            theme="约见后实地视察：秀东渔港与兰山码头",
            topic_source=TopicSource.GOVERNMENT,
            date=c.day(a + 1),
            place="秀东渔港、兰山码头",
            deputy_ids=[d.pk for d in deputies[:3]],
            officials=[("陆志明", "秀山乡乡长")],
        )
    topics = [
        ("秀东渔港垃圾清运", "秀东渔港岸边渔网和生活垃圾堆积，夏天气味很大。", "环境卫生", 20),
        ("兰山码头候船亭", "兰山码头没有候船亭，老人雨天只能站着等船。", "基础设施", 30),
        ("渔港夜间照明", "渔港作业区夜间照明不足，渔民卸货不安全。", "基础设施", 90),
    ]
    with c.at(a, 15):
        activity_hold(
            actor=staff,
            activity_id=appointment.pk,
            minutes="乡长与代表座谈，逐项议定办理措施和时限，件件有回声、事事有落实。",
            attendance=16,
        )
        items = [
            item_raise(
                actor=staff,
                activity_id=appointment.pk,
                title=title,
                content=content,
                deputy_id=deputies[i].pk,
                category_id=world.categories[category].pk,
            )
            for i, (title, content, category, _days) in enumerate(topics)
        ]
        for item, (_t, _c, _cat, days), measure in zip(
            items,
            topics,
            ["增设垃圾收集点，每日清运一次。", "在兰山码头建设候船亭。", "作业区加装太阳能路灯12盏。"],
            strict=True,
        ):
            promise_record(
                actor=staff, item_id=item.pk, measure=measure, department_id=construction.pk, deadline=c.day(a + days)
            )
    with c.at(a + 1, 16):
        activity_hold(
            actor=staff, activity_id=inspection.pk, minutes="实地查看渔港和码头，确定候船亭选址。", attendance=8
        )
        activity_close(actor=staff, activity_id=inspection.pk)
    with c.at(a + 3, 10):
        item_rate(actor=yu, item_id=items[0].pk, rating="satisfied")
        item_rate(actor=yu, item_id=items[1].pk, rating="basically_satisfied")
        item_rate(actor=staff, item_id=items[0].pk, deputy_id=deputies[1].pk, rating="satisfied")
        item_rate(
            actor=staff,
            item_id=items[1].pk,
            deputy_id=deputies[2].pk,
            rating="unsatisfied",
            comment="候船亭选址离码头太远，老人走过去不方便。",
            new_deadline=c.day(a + 45),
        )
        item_rate(actor=staff, item_id=items[2].pk, deputy_id=deputies[3].pk, rating="satisfied")
    with c.at(a + 15, 11):
        promise_mark_kept(actor=staff, item_id=items[0].pk)
    with c.at(a + 16, 11):
        return_visit_record(
            actor=staff, item_id=items[0].pk, date=c.day(a + 16), note="回访渔港，垃圾收集点已启用，每日清运。"
        )
        activity_close(actor=staff, activity_id=appointment.pk)

    # A complex case becomes the topic of the next appointment (若问题较为复杂，以此为主题开展乡长有约).
    with c.at(-3, 10):
        case = (
            Issue.objects.filter(station=station, created_at__lt=clock.now())
            .exclude(state=State.REJECTED)
            .exclude(channel="activity")
            .order_by("created_at", "pk")
            .first()
        )
        if case is not None:
            escalate_case_to_appointment(
                actor=staff,
                case_id=case.pk,
                date=c.day(12),
                theme=XIUSHAN_UPCOMING,
                place="秀山乡人大代表联络站",
                note="涉及多个部门，列为下次乡长有约主题。",
            )
        else:
            activity_create(
                actor=staff,
                station_id=station.pk,
                kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
                theme=XIUSHAN_UPCOMING,
                topic_source=TopicSource.DEPUTY,
                date=c.day(12),
                place="秀山乡人大代表联络站",
            )


def _railway(world: DemoWorld, c: _Clock) -> None:
    station = world.stations[data.RAILWAY]
    staff = Actor.of(world.staff_of[data.RAILWAY])
    stationed = [d for d, kind in world.stationed[data.RAILWAY]]
    policy = _department(world, "白泉镇铁路项目政策处理专班")
    t = -30
    with c.at(t - 10):
        themed = activity_create(
            actor=staff,
            station_id=station.pk,
            kind=Kind.THEMED,
            theme=RAILWAY_THEMED,
            topic_source=TopicSource.DEPUTY,
            date=c.day(t),
            start_time=datetime.time(9, 30),
            place="潮面村文化礼堂",
            description="代表点题 → 人大定题 → 政府解题 → 群众评议。",
            deputy_ids=[d.pk for d in stationed[:6]],
            officials=[("周建华", "白泉镇副镇长")],
        )
        talk = activity_create(
            actor=staff,
            station_id=station.pk,
            kind=Kind.EVENING_TALK,
            theme="夜谈：杨梅树移植与果农收入",
            topic_source=TopicSource.DEPUTY,
            date=c.day(t + 5),
            start_time=datetime.time(19),
            place="潮面村村委会",
            deputy_ids=[d.pk for d in stationed[2:5]],
        )
    with c.at(t, 11):
        activity_hold(
            actor=staff,
            activity_id=themed.pk,
            minutes="宣讲征地拆迁补偿政策，现场收集问题两项。",
            attendance=60,
            attended_deputy_ids=[d.pk for d in stationed[:5]],
        )
        items = [
            item_raise(
                actor=staff,
                activity_id=themed.pk,
                title=title,
                content=content,
                deputy_id=stationed[i].pk,
                category_id=world.categories["征地拆迁补偿"].pk,
            )
            for i, (title, content) in enumerate(
                [
                    ("青苗补偿标准公示", "青苗补偿标准没有在村里公示，村民心里没底。"),
                    ("临时用地复垦", "铁路施工临时用地什么时候复垦归还？"),
                ]
            )
        ]
        promise_record(
            actor=staff,
            item_id=items[0].pk,
            measure="在各村公示栏公示补偿标准。",
            department_id=policy.pk,
            deadline=c.day(t + 7),
        )
        promise_record(
            actor=staff,
            item_id=items[1].pk,
            measure="施工结束后三个月内完成复垦。",
            department_id=policy.pk,
            deadline=c.day(t + 60),
        )
        item_rate(actor=Actor.of(world.users["demo_deputy_a"]), item_id=items[0].pk, rating="satisfied")
    with c.at(t + 5, 21):
        activity_hold(
            actor=staff,
            activity_id=talk.pk,
            minutes="与果农夜谈，提出移植杨梅树一千余株的建议。",
            attendance=22,
        )
    with c.at(t + 6, 10):
        promise_mark_kept(actor=staff, item_id=items[0].pk)
        activity_close(actor=staff, activity_id=themed.pk)


def _shop_rules(world: DemoWorld, c: _Clock) -> None:
    """The shops' reception-day rule (每月15日轮值). Its slots already come from demo_build; the
    rule is what staff generate the next months from."""
    start = (c.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for shop in data.SHOPS:
        station = world.stations[shop]
        if DutyRule.objects.filter(station=station, day_of_month=15).exists():
            continue
        with c.at(0, 8):
            duty_rule_create(
                actor=Actor.of(world.staff_of[shop]),
                station_id=station.pk,
                day_of_month=15,
                valid_from=start,
                valid_until=start.replace(year=start.year + 1) - timedelta(days=1),
                start_time=datetime.time(8, 30),
                end_time=datetime.time(11, 30),
                note="每月15日民生小铺接待日",
            )

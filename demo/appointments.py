"""The demo's 乡长有约 at 秀山乡 (one held with its inspection, one upcoming with an escalated case)
and the themed activity and evening talk at the 白泉镇 railway point."""

import datetime

from activities.models import Kind, TopicSource
from activities.services import (
    activity_close,
    activity_create,
    activity_hold,
    escalate_case_to_appointment,
    item_raise,
    item_rate,
    promise_mark_kept,
    promise_record,
    return_visit_record,
)
from demo import data
from demo.build import DemoWorld
from demo.moments import Clock, department
from issues import clock
from issues.models import Issue, State
from issues.permissions import Actor

XIUSHAN_APPOINTMENT = "乡长有约：渔港环境整治与渔民出行"
XIUSHAN_UPCOMING = "乡长有约：秀山大桥通行与海岛公交"
RAILWAY_THEMED = "主题活动：甬舟铁路征地拆迁政策进村入户"


def xiushan(world: DemoWorld, c: Clock) -> None:
    station = world.stations[data.XIUSHAN]
    staff = Actor.of(world.staff_of[data.XIUSHAN])
    names = ["俞晓梅", "贝秀娟", "胡建峰", "翁海燕"]
    deputies = [world.deputies[n] for n in names]
    yu = Actor.of(world.users["demo_deputy_b"])  # 俞晓梅 rates with her own account
    construction = department(world, "秀山乡村镇建设办")
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


def railway(world: DemoWorld, c: Clock) -> None:
    station = world.stations[data.RAILWAY]
    staff = Actor.of(world.staff_of[data.RAILWAY])
    stationed = [d for d, kind in world.stationed[data.RAILWAY]]
    policy = department(world, "白泉镇铁路项目政策处理专班")
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

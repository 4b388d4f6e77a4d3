"""The demo's 大会问政: 洋山镇's mid-year questioning session with its three preparatory meetings
and the follow-up supervision list, replayed through activities.services."""

import datetime

from activities.models import Kind, MeetingType, TopicSource
from activities.services import (
    activity_close,
    activity_create,
    activity_hold,
    item_raise,
    item_rate,
    promise_mark_kept,
    promise_record,
    return_visit_record,
)
from demo import data
from demo.build import DemoWorld
from demo.moments import Clock, department
from issues.permissions import Actor

YANGSHAN_SESSION = "年中人代会“大会问政”：民生实事与渔港建设"


def yangshan(world: DemoWorld, c: Clock) -> None:
    station = world.stations[data.YANGSHAN]
    staff = Actor.of(world.staff_of[data.YANGSHAN])
    deputies = [d for d, _kind in world.stationed[data.YANGSHAN]]
    construction = department(world, "洋山镇建设办")
    social = department(world, "洋山镇社会事务办")
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

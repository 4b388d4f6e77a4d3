"""The named world grown into a province: 浙江省 above 舟山市, a second city (宁波市 › 北仑区 ›
大碶街道) with a station, and an administrator at each level: `province_admin` (浙江省),
`city_admin` (舟山市), `county_admin` (定海区, which holds 白泉镇 and deputy A's railway point;
秀山乡 lies in 岱山县, outside it)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from stations.models import Region, StaffMembership, Station
from stations.services import membership_grant
from testsupport.world import PASSWORD, World


@dataclass
class Province:
    province: Region
    dinghai: Region
    daishan: Region
    ningbo: Region
    daqi: Region
    daqi_station: Station
    province_admin: object
    city_admin: object
    county_admin: object


def grow_province(world: World) -> Province:
    """Put 舟山市 under a new province (moving its subtree and cases), add 宁波市 and the three
    administrators; the administrators are also set on `world` (world.county_admin, …)."""
    province = Region.objects.create(name="浙江省", code="330000", level=Region.Level.PROVINCE)
    world.city.parent = province
    world.city.save()
    for region in (world.baiquan, world.chaomian, world.xiushan):
        region.refresh_from_db()
    ningbo = Region.objects.create(name="宁波市", code="330200", level=Region.Level.CITY, parent=province)
    beilun = Region.objects.create(name="北仑区", code="330206", level=Region.Level.DISTRICT, parent=ningbo)
    daqi = Region.objects.create(name="大碶街道", code="330206004", level=Region.Level.TOWNSHIP, parent=beilun)
    daqi_station = Station.objects.create(name="大碶街道人大代表联络站", region=daqi)
    dinghai = world.baiquan.parent
    daishan = world.xiushan.parent

    def admin(username, role, region):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        membership_grant(user=user, role=role, region=region)
        setattr(world, username, user)
        return user

    return Province(
        province=province,
        dinghai=dinghai,
        daishan=daishan,
        ningbo=ningbo,
        daqi=daqi,
        daqi_station=daqi_station,
        province_admin=admin("province_admin", StaffMembership.Role.PROVINCE_ADMIN, province),
        city_admin=admin("city_admin", StaffMembership.Role.CITY_ADMIN, world.city),
        county_admin=admin("county_admin", StaffMembership.Role.COUNTY_ADMIN, dinghai),
    )

"""The permission groups of the staff roles, kept in step with the code at every migrate."""

from django.contrib.auth.models import Group, Permission

# group name -> (app_label, codename) pairs. Which rows a member sees is decided by
# issues.permissions.scope_of; these only open the admin pages.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    "deputy": [
        ("issues", "view_issue"),
        ("issues", "add_issue"),
        ("issues", "view_issueevent"),
        ("issues", "view_category"),
        ("issues", "view_department"),
        ("issues", "view_replytemplate"),
        ("stations", "view_station"),
        ("stations", "view_dutyslot"),
        ("deputies", "view_deputy"),
        ("deputies", "view_stationing"),
    ],
    "station_staff": [
        ("issues", "view_issue"),
        ("issues", "add_issue"),
        ("issues", "view_issueevent"),
        ("issues", "view_evaluation"),
        ("issues", "view_extensionrequest"),
        ("issues", "view_category"),
        ("issues", "view_department"),
        ("issues", "view_replytemplate"),
        ("issues", "add_replytemplate"),
        ("issues", "change_replytemplate"),
        ("issues", "delete_replytemplate"),
        ("stations", "view_station"),
        ("stations", "change_station"),
        ("stations", "view_dutyslot"),
        ("stations", "add_dutyslot"),
        ("stations", "change_dutyslot"),
        ("stations", "delete_dutyslot"),
        ("deputies", "view_deputy"),
        ("deputies", "view_stationing"),
        ("deputies", "add_stationing"),
        ("deputies", "change_stationing"),
    ],
    "township_staff": [
        ("issues", "view_issue"),
        ("issues", "view_issueevent"),
        ("issues", "view_evaluation"),
        ("issues", "view_extensionrequest"),
        ("issues", "view_category"),
        ("issues", "view_department"),
        ("stations", "view_station"),
        ("stations", "view_dutyslot"),
        ("stations", "view_region"),
        ("deputies", "view_deputy"),
        ("deputies", "view_stationing"),
    ],
}

# County, city and province administrators (tenants) run their region: its stations, deputies,
# departments, staff accounts and platform settings; they read its cases. Which rows, and which
# roles they may grant, is decided by stations.scope (admin_region_paths, admin_rank) in each
# ModelAdmin; these only open the pages.
_REGION_ADMIN: list[tuple[str, str]] = [
    *ROLE_PERMISSIONS["township_staff"],
    ("stations", "add_station"),
    ("stations", "change_station"),
    ("stations", "add_region"),
    ("stations", "change_region"),
    ("stations", "view_staffmembership"),
    ("stations", "add_staffmembership"),
    ("stations", "change_staffmembership"),
    ("stations", "delete_staffmembership"),
    ("deputies", "add_deputy"),
    ("deputies", "change_deputy"),
    ("deputies", "add_stationing"),
    ("deputies", "change_stationing"),
    ("issues", "add_department"),
    ("issues", "change_department"),
    ("issues", "view_governanceplatform"),
    ("issues", "change_governanceplatform"),
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
]
for _role in ("county_admin", "city_admin", "province_admin"):
    ROLE_PERMISSIONS[_role] = _REGION_ADMIN


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and set exactly their permissions (idempotent)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_label in ("auth", "issues", "stations", "deputies"):
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    for name, pairs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [Permission.objects.get(content_type__app_label=app, codename=code) for app, code in pairs]
        group.permissions.set(wanted)

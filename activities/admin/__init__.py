"""Activities in the admin: the activity page with its workflow buttons and supervision list
(print, XLSX), the item page with the promise, rating, kept and return-visit forms, and the
duty-roster rules. Every change goes through activities.services; every row comes from
activities_visible_to."""

from activities.admin.activities import ActivityAdmin
from activities.admin.items import ActivityItemAdmin, ItemRatingAdmin, ReturnVisitAdmin
from activities.admin.roster import DutyRuleAdmin

__all__ = ["ActivityAdmin", "ActivityItemAdmin", "DutyRuleAdmin", "ItemRatingAdmin", "ReturnVisitAdmin"]

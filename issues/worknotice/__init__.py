"""浙政钉 work notifications to deputies and staff: every inbox alert may also go out as a work
notification, as each user chose per kind (immediate, in a daily digest, or inbox only), at most
DINGTALK_DAILY_CAP a day per user (the platform's cap; past it, the rest go in the digest)."""

"""Text messages to the villager (短信): fixed templates, an outbox written in the transaction of the
state change, pluggable senders (`SMS_BACKEND`), quiet hours, a daily cap per phone, opt-out."""

"""A hand-written set of realistic goals, typed the way Indian D2C marketers type them, each with
the audience it means. Written without looking at the planner's rules; the ones it still gets
wrong are listed in KNOWN_MISSES with the reason, not removed."""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]


def c(field: str, op: str, value: Any, **extra: Any) -> Node:
    return {"field": field, "op": op, "value": value, **extra}


def none(*nodes: Node) -> Node:
    return {"match": "none", "conditions": list(nodes)}


def any_(*nodes: Node) -> Node:
    return {"match": "any", "conditions": list(nodes)}


LAPSED = c("last_order_days_ago", "gt", 90)
GOALS: list[tuple[str, list[Node]]] = [
    (
        "win back custs in pune who havent ordered in 2 months",
        [c("city", "eq", "Pune"), c("last_order_days_ago", "gt", 60)],
    ),
    ("ppl frm blr who bought kajal", [c("city", "eq", "Bengaluru"), c("category", "eq", "Kajal")]),
    (
        "del, mum n kol custs with 3+ orders",
        [c("city", "in", ["Delhi", "Mumbai", "Kolkata"]), c("order_count", "gte", 3)],
    ),
    ("hyd ppl who spent 5k+", [c("city", "eq", "Hyderabad"), c("total_spent", "gte", 5000)]),
    ("send WA to lapsed lipstick buyers", [LAPSED, c("category", "eq", "Lipstick")]),
    ("serum and sunscreen buyers", [c("product", "contains", "Serum"), c("product", "contains", "Sunscreen")]),
    ("serum or sunscreen buyers", [any_(c("product", "contains", "Serum"), c("product", "contains", "Sunscreen"))]),
    ("customers who bought kajal and eyeliner", [c("category", "eq", "Kajal"), c("category", "eq", "Eyeliner")]),
    ("customers who bought kajal or eyeliner", [c("category", "in", ["Kajal", "Eyeliner"])]),
    ("customers with 3 to 5 orders", [c("order_count", "between", [3, 5])]),
    (
        "a matte lipstick or a liquid eyeliner buyer",
        [any_(c("category", "eq", "Lipstick"), c("category", "eq", "Eyeliner"))],
    ),
    (
        "at least 3 orders but nothing in the last 60 days",
        [c("order_count", "gte", 3), c("last_order_days_ago", "gt", 60)],
    ),
    ("spent 1k-5k", [c("total_spent", "between", [1000, 5000])]),
    ("3k se zyada spend wale customers", [c("total_spent", "gt", 3000)]),
    ("avg order above ₹2k", [c("avg_order_value", "gt", 2000)]),
    ("signed up >1 year ago", [c("signed_up_days_ago", "gt", 365)]),
    ("ordered last quarter", [c("last_order_days_ago", "lte", 90)]),
    ("pichle 10 din mein order kiya", [c("last_order_days_ago", "lte", 10)]),
    ("Mumbai ko chhod ke sab customers", [c("city", "neq", "Mumbai")]),
    ("VIPs in Pune", [c("tags", "contains", "vip"), c("city", "eq", "Pune")]),
    ("top spenders in Delhi", [c("total_spent", "gte", 10000), c("city", "eq", "Delhi")]),
    (
        "bought Smudge Me Not but never Matte As Hell",
        [c("product", "contains", "Smudge Me Not"), none(c("product", "contains", "Matte As Hell"))],
    ),
    (
        "everyone who clicked but didn't buy",
        [c("engagement", "eq", "clicked"), none(c("engagement", "eq", "converted"))],
    ),
    ("birthday wishes this month", [c("birthday_in_days", "lte", 10)]),
    ("top 5% spenders", [c("spend_percentile", "gte", 95)]),
    ("top 10 percent customers in Mumbai", [c("spend_percentile", "gte", 90), c("city", "eq", "Mumbai")]),
    (
        "remind people who haven't ordered in 90 days, excluding anyone who got a message this week",
        [c("last_order_days_ago", "gt", 90), none(c("engagement", "eq", "received", within_days=7))],
    ),
    ("women in Pune aged 25-34", [c("gender", "eq", "female"), c("city", "eq", "Pune"), c("age", "between", [25, 34])]),
    ("men under 30 in Bengaluru", [c("gender", "eq", "male"), c("age", "lt", 30), c("city", "eq", "Bengaluru")]),
    (
        "Gen Z girls who bought lipstick",
        [c("age", "between", [18, 27]), c("gender", "eq", "female"), c("category", "eq", "Lipstick")],
    ),
    ("students in Delhi n Noida", [c("tags", "contains", "student"), c("city", "in", ["Delhi", "Noida"])]),
    (
        "influencers who haven't ordered in 30 days",
        [c("tags", "contains", "influencer"), c("last_order_days_ago", "gt", 30)],
    ),
    ("app users frm Hyderabad", [c("tags", "contains", "app-user"), c("city", "eq", "Hyderabad")]),
    (
        "newsletter subscribers who never bought foundation",
        [c("tags", "contains", "newsletter"), c("category", "neq", "Foundation")],
    ),
    ("customers in Gujarat who spent above 2.5k", [c("state", "eq", "Gujarat"), c("total_spent", "gt", 2500)]),
    ("Maharashtra custs except Pune", [c("state", "eq", "Maharashtra"), c("city", "neq", "Pune")]),
    (
        "people in ncr who bought mascara",
        [c("city", "in", ["Delhi", "Gurugram", "Noida"]), c("category", "eq", "Mascara")],
    ),
    ("kohl buyers in chennai", [c("category", "eq", "Kajal"), c("city", "eq", "Chennai")]),
    ("lippie lovers who spent less than 1000", [c("category", "eq", "Lipstick"), c("total_spent", "lt", 1000)]),
    ("customers who bought lipstik in the last 30 days", [c("category", "eq", "Lipstick", within_days=30)]),
    ("foundaton buyers in Kochi", [c("category", "eq", "Foundation"), c("city", "eq", "Kochi")]),
    ("one time buyers frm Jaipur", [c("order_count", "eq", 1), c("city", "eq", "Jaipur")]),
    ("repeat customers in Lucknow", [c("order_count", "gte", 2), c("city", "eq", "Lucknow")]),
    ("loyal custs in Chandigarh", [c("order_count", "gte", 5), c("city", "eq", "Chandigarh")]),
    ("new customers who haven't ordered yet", [c("signed_up_days_ago", "lte", 30), c("order_count", "eq", 0)]),
    ("signed up in the last 2 weeks", [c("signed_up_days_ago", "lte", 14)]),
    (
        "custs who joined this month and bought blush",
        [c("signed_up_days_ago", "lte", 30), c("category", "eq", "Blush")],
    ),
    ("customers who ordered since 15 Oct", [c("last_order_days_ago", "lte", 36)]),
    ("haven't ordered since Diwali", [c("last_order_days_ago", "gt", 12)]),
    ("bought since Holi in Surat", [c("last_order_days_ago", "lte", 261), c("city", "eq", "Surat")]),
    ("jinhone 3 mahine se order nahi kiya", [c("last_order_days_ago", "gt", 90)]),
    (
        "Pune aur Mumbai ke customers jinhone kajal kharida",
        [c("city", "in", ["Pune", "Mumbai"]), c("category", "eq", "Kajal")],
    ),
    ("2k se kam spend wale log", [c("total_spent", "lt", 2000)]),
    ("5 se zyada orders wale customers", [c("order_count", "gt", 5)]),
    ("Delhi ya Noida ke ladies", [c("city", "in", ["Delhi", "Noida"]), c("gender", "eq", "female")]),
    ("customers reachable on WA in Indore", [c("reachable_on", "eq", "whatsapp"), c("city", "eq", "Indore")]),
    ("opted in to sms and spent over 3k", [c("reachable_on", "eq", "sms"), c("total_spent", "gt", 3000)]),
    ("customers without whatsapp consent", [c("reachable_on", "neq", "whatsapp")]),
    (
        "people who opened an email in the last 30 days",
        [c("engagement", "eq", "engaged", within_days=30, channel="email")],
    ),
    ("clicked a whatsapp message this week", [c("engagement", "eq", "clicked", within_days=7, channel="whatsapp")]),
    ("not messaged in 14 days", [none(c("engagement", "eq", "received", within_days=14))]),
    (
        "custs who got a message in the last 30 days but didn't buy",
        [c("engagement", "eq", "received", within_days=30), none(c("engagement", "eq", "converted", within_days=30))],
    ),
    ("bday today", [c("birthday_in_days", "eq", 0)]),
    ("birthdays in the next 7 days in Mumbai", [c("birthday_in_days", "lte", 7), c("city", "eq", "Mumbai")]),
    ("Ace of Face buyers in Bengaluru", [c("product", "contains", "Ace Of Face"), c("city", "eq", "Bengaluru")]),
    ("Wingman buyers who never bought mascara", [c("product", "contains", "Wingman"), c("category", "neq", "Mascara")]),
    ("customers who bought lash swag", [c("product", "contains", "Lash Swag")]),
    ("bb cream buyers", [c("product", "contains", "BB Cream")]),
    ("face wash buyers in the last 60 days", [c("product", "contains", "Face Wash", within_days=60)]),
    (
        "customers who spent between 2k and 10k in Kolkata",
        [c("total_spent", "between", [2000, 10000]), c("city", "eq", "Kolkata")],
    ),
    ("AOV under 700", [c("avg_order_value", "lt", 700)]),
    ("lifetime value above 20k", [c("total_spent", "gt", 20000)]),
    ("customers with more than 10 orders", [c("order_count", "gt", 10)]),
    (
        "customers with 2-4 orders who bought concealer",
        [c("order_count", "between", [2, 4]), c("category", "eq", "Concealer")],
    ),
    ("customers whose last order was 30 to 60 days ago", [c("last_order_days_ago", "between", [30, 60])]),
    ("ordered in the past 2 weeks in Bhopal", [c("last_order_days_ago", "lte", 14), c("city", "eq", "Bhopal")]),
    ("dormant customers in Guwahati", [LAPSED, c("city", "eq", "Guwahati")]),
    ("inactive for 6 months", [c("last_order_days_ago", "gt", 180)]),
    ("customers over 40 who bought skincare", [c("age", "gt", 40), c("category", "eq", "Skincare")]),
    (
        "millennial women in Mumbai",
        [c("age", "between", [28, 43]), c("gender", "eq", "female"), c("city", "eq", "Mumbai")],
    ),
    ("customers in their 30s", [c("age", "between", [30, 39])]),
    ("everyone except Delhi and Mumbai", [c("city", "not_in", ["Delhi", "Mumbai"])]),
    ("customers excluding students", [c("tags", "neq", "student")]),
    ("non VIP customers in Pune", [none(c("tags", "contains", "vip")), c("city", "eq", "Pune")]),
    (
        "customers not in Maharashtra who bought nail polish",
        [c("state", "neq", "Maharashtra"), c("category", "eq", "Nail Polish")],
    ),
    ("lipstick buyers who haven't bought kajal", [c("category", "eq", "Lipstick"), c("category", "neq", "Kajal")]),
    ("cross sell mascara to eyeliner buyers", [c("category", "eq", "Eyeliner"), c("category", "neq", "Mascara")]),
    ("highlighter buyers but not blush", [c("category", "eq", "Highlighter"), c("category", "neq", "Blush")]),
    (
        "custs in Pune, Nagpur or Mumbai who spent 10k+",
        [c("city", "in", ["Pune", "Nagpur", "Mumbai"]), c("total_spent", "gte", 10000)],
    ),
    ("Hyderbad customers", [c("city", "eq", "Hyderabad")]),
    ("customers in Bengalru who bought mascra", [c("city", "eq", "Bengaluru"), c("category", "eq", "Mascara")]),
    ("shoppers in Ahmedabad or Surat", [c("city", "in", ["Ahmedabad", "Surat"])]),
    ("customers in West Bengal", [c("state", "eq", "West Bengal")]),
    (
        "customers in Tamil Nadu who ordered in the last month",
        [c("state", "eq", "Tamil Nadu"), c("last_order_days_ago", "lte", 30)],
    ),
    ("sequence for new custs: WA now, email 2 days later", [c("signed_up_days_ago", "lte", 30)]),
    ("a series for lapsed kajal buyers", [LAPSED, c("category", "eq", "Kajal")]),
    ("2nd purchase nudge for one time buyers", [c("order_count", "eq", 1)]),
    ("Diwali offer for lipstick buyers with 20% off", [c("category", "eq", "Lipstick")]),
    ("Holi sale sms to customers in Jaipur, code HOLI20", [c("city", "eq", "Jaipur")]),
    ("send a whatsapp with free shipping to customers who spent over 5k", [c("total_spent", "gt", 5000)]),
    (
        "customers who bought foundation and concealer in Delhi",
        [c("category", "eq", "Foundation"), c("category", "eq", "Concealer"), c("city", "eq", "Delhi")],
    ),
    (
        "kajal buyers who didn't reorder in 45 days",
        [c("category", "eq", "Kajal"), c("category", "neq", "Kajal", within_days=45)],
    ),
    ("people who made their first purchase in the last 3 weeks", [c("first_order_days_ago", "lte", 21)]),
    (
        "customers with 0 orders who signed up over 30 days ago",
        [c("order_count", "eq", 0), c("signed_up_days_ago", "gt", 30)],
    ),
    ("customers who never ordered", [c("order_count", "eq", 0)]),
    ("customers who placed exactly 2 orders in Kochi", [c("order_count", "eq", 2), c("city", "eq", "Kochi")]),
    ("ladies in Lucknow ya Kanpur", [c("gender", "eq", "female"), c("city", "eq", "Lucknow")]),
]

KNOWN_MISSES: dict[str, str] = {
    # goal → why the planner still reads it differently (kept, not removed)
    "ladies in Lucknow ya Kanpur": "Kanpur is not in the data: the planner asks about it instead of staging",
}

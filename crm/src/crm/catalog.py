"""SUGAR-style product vocabulary: the categories the brand sells and the words that name them.

Used to infer an item's category when an import has none (Shopify's orders export carries only
the line item's name), by the seed data, and by the copilot to ground "lippie" or "kohl".
"""

from __future__ import annotations

# category -> words that, found in a product name or a marketer's sentence, mean that category.
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Lipstick": (
        "lipstick",
        "lippie",
        "lippies",
        "lip colour",
        "lip color",
        "lip crayon",
        "liquid lip",
        "matte lip",
        "lipsticks",
    ),
    "Lip Care": ("lip balm", "lip care", "lip scrub", "lip oil", "lip gloss", "gloss"),
    "Kajal": ("kajal", "kohl", "kajals"),
    "Eyeliner": ("eyeliner", "eye liner", "liner", "eyeliners"),
    "Mascara": ("mascara", "mascaras", "lash"),
    "Eyeshadow": ("eyeshadow", "eye shadow", "palette", "eyeshadows"),
    "Foundation": ("foundation", "foundations", "base", "bb cream", "cc cream"),
    "Concealer": ("concealer", "concealers"),
    "Compact": ("compact", "powder", "setting powder"),
    "Primer": ("primer", "primers"),
    "Blush": ("blush", "blusher", "blushes"),
    "Highlighter": ("highlighter", "highlighters", "glow stick"),
    "Nail Polish": ("nail polish", "nail lacquer", "nail paint", "nails", "nail colour", "nail color"),
    "Skincare": (
        "skincare",
        "skin care",
        "moisturiser",
        "moisturizer",
        "serum",
        "sunscreen",
        "spf",
        "cleanser",
        "face wash",
        "toner",
        "face mask",
        "sheet mask",
        "cream",
        "face mist",
    ),
    "Makeup Remover": ("makeup remover", "micellar", "cleansing balm", "remover"),
    "Brushes & Tools": ("brush", "brushes", "sponge", "blender", "sharpener", "tools"),
}


def infer_category(product_name: str) -> str | None:
    """The category whose longest synonym appears in the product name, if any."""
    lowered = f" {product_name.lower()} "
    best: tuple[int, str] | None = None
    for category, words in CATEGORY_SYNONYMS.items():
        for word in words:
            if word in lowered and (best is None or len(word) > best[0]):
                best = (len(word), category)
    return best[1] if best else None


INDIAN_STATE_CODES: dict[str, str] = {
    "AN": "Andaman and Nicobar Islands",
    "AP": "Andhra Pradesh",
    "AR": "Arunachal Pradesh",
    "AS": "Assam",
    "BR": "Bihar",
    "CH": "Chandigarh",
    "CG": "Chhattisgarh",
    "CT": "Chhattisgarh",
    "DN": "Dadra and Nagar Haveli and Daman and Diu",
    "DD": "Dadra and Nagar Haveli and Daman and Diu",
    "DL": "Delhi",
    "GA": "Goa",
    "GJ": "Gujarat",
    "HR": "Haryana",
    "HP": "Himachal Pradesh",
    "JK": "Jammu and Kashmir",
    "JH": "Jharkhand",
    "KA": "Karnataka",
    "KL": "Kerala",
    "LA": "Ladakh",
    "LD": "Lakshadweep",
    "MP": "Madhya Pradesh",
    "MH": "Maharashtra",
    "MN": "Manipur",
    "ML": "Meghalaya",
    "MZ": "Mizoram",
    "NL": "Nagaland",
    "OR": "Odisha",
    "OD": "Odisha",
    "PY": "Puducherry",
    "PB": "Punjab",
    "RJ": "Rajasthan",
    "SK": "Sikkim",
    "TN": "Tamil Nadu",
    "TS": "Telangana",
    "TG": "Telangana",
    "TR": "Tripura",
    "UP": "Uttar Pradesh",
    "UK": "Uttarakhand",
    "UT": "Uttarakhand",
    "WB": "West Bengal",
}

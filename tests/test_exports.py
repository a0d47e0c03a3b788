"""Exports: golden documents, the Word file re-opened, the HTML printed by Chromium, the JSON round trip.

The fixture is a real workshop driven through :class:`WorkshopService` on a
SQLite file, with content taken from the restitution of the Occitanie day
"Quelle politique de la ville demain ?" (seed 003): two rounds from its
ateliers (coopérations locales, transitions), ideas from several stakeholder
groups, a moderated idea, merged duplicates, a withdrawn idea, one typed in
by the facilitator, themes with objectives and criteria, dot votes and
complete action sheets, with equal weight on.

Golden files live in tests/golden/; after an intended change, regenerate them
with ``UPDATE_GOLDEN=1 pytest tests/test_exports.py`` and review the diff.
"""

from __future__ import annotations

import copy
import csv
import difflib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from support import ROOT, new_op

from workshop import __version__
from workshop.errors import ValidationError
from workshop.exports import CSV_TABLES, FORMATS, export, extension, filename, media_type
from workshop.exports.common import build_report
from workshop.exports.json_export import SCHEMA, SCHEMA_ID, schema_text, validate
from workshop.importer import import_snapshot
from workshop.services import WorkshopService
from workshop.storage.db import Database

GOLDEN = ROOT / "tests" / "golden"
ARTIFACTS = ROOT / "tests" / "artifacts" / "exports"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
IN_CI = os.environ.get("CI", "").lower() == "true"

QUESTION_1 = "Quelle coopération idéale entre les partenaires (services de l'État, collectivités, associations, habitants) ?"
QUESTION_2 = "Transitions : comment les quartiers prioritaires peuvent-ils devenir acteurs de la transition écologique ?"
HIDDEN_TEXT = "Tous des incapables à la mairie, rien ne changera jamais"
WITHDRAWN_TEXT = "Doublon, je retire ma proposition"
MERGED_AWAY_1 = "Aller à la rencontre des habitants là où ils sont, au pied des immeubles"
MERGED_AWAY_2 = "Un potager collectif en bas des immeubles"

# pseudonym -> stakeholder group (None: did not say)
PEOPLE = {
    "Samira-B": "habitant",
    "JeanLuc42": "habitant",
    "Yasmina.T": "habitant",
    "Claire.adjointe": "élu·e",
    "PaulV-elu": "élu·e",
    "NadiaDDETS": "agent",
    "ThomasR-cdv": "agent",
    "KarimCDV": "agent",
    "FatouAsso": "association",
    "HeleneCSC": "association",
    "MarcPro31": "professionnel",
    "Invite77": None,
}


# --------------------------------------------------------------------------- the fixture workshop


class Driver:
    """Drives one workshop through the service, as the phones and the console would."""

    def __init__(self, service: WorkshopService):
        self.s = service
        created = service.create_workshop(
            "Quelle politique de la ville demain ?",
            rounds=[{"question": QUESTION_1}, {"question": QUESTION_2}],
            territory="Occitanie",
            date="2020-11-03",
            description=(
                "Journée régionale du centre de ressources Villes et Territoires Occitanie et de Réciprocités Occitanie : "
                "imaginer la politique de la ville dans 10 ans et co-construire des premières propositions.\n\n"
                "Élus et agents des collectivités et de l'État, associations, habitants et professionnels."
            ),
            tags=["politique de la ville", "quartiers prioritaires", "transitions"],
            settings={
                "groups": ["habitant", "élu·e", "agent", "association", "professionnel"],
                "dot_budget": 5,
                "dot_cap": 2,
                "equal_weight": True,
                "keep_top_k": 2,
            },
        )
        self.id = created["workshop"]["id"]
        self.code = created["workshop"]["code"]
        self.facilitator_token = created["facilitator_token"]
        self.fac = service.authenticate(facilitator_token=created["facilitator_token"])
        self.people = {}
        self.tokens = []
        for pseudonym, group in PEOPLE.items():
            guest = service.authenticate(code=self.code)
            out = service.join(guest, {"op_id": new_op(), "pseudonym": pseudonym, "group": group})
            self.tokens.append(out.result["token"])
            self.people[pseudonym] = service.authenticate(code=self.code, token=out.result["token"])

    def ok(self, method, actor, **payload):
        return getattr(self.s, method)(actor, {"op_id": new_op(), **payload}).result

    def advance(self, round_id, **payload):
        """Close the current phase; in define and converge, open the vote as the facilitator does."""
        result = self.ok("advance_phase", self.fac, round_id=round_id, **payload)
        if result["round"]["can"]["open_vote"]:
            self.ok("open_vote", self.fac, round_id=round_id, open=True)
        return result

    def idea(self, who, text, round_id):
        actor = self.fac if who is None else self.people[who]
        extra = {"group": "habitant"} if who is None else {}
        return self.ok("post_idea", actor, text=text, round_id=round_id, **extra)["idea"]["id"]

    def theme(self, round_id, title, objective, criteria, ideas):
        tid = self.ok("create_theme", self.fac, round_id=round_id, title=title, objective=objective, criteria=criteria)["theme"]["id"]
        for iid in ideas:
            self.ok("move_idea", self.fac, idea_id=iid, theme_id=tid)
        return tid

    def votes(self, kind, plan):
        for who, targets in plan.items():
            for target, dots in targets.items():
                for _ in range(dots):
                    self.ok("vote", self.people[who], kind=kind, target_id=target, delta=1)

    def action(self, theme_id, title, sheet, ideas=(), who=None):
        actor = self.fac if who is None else self.people[who]
        aid = self.ok("propose_action", actor, theme_id=theme_id, title=title, idea_ids=list(ideas))["action"]["id"]
        if sheet:
            self.ok("update_action", self.fac, action_id=aid, **sheet)
        return aid


def build_seed_workshop(service: WorkshopService) -> Driver:
    d = Driver(service)
    rounds = [r["id"] for r in service.full_snapshot(d.id)["rounds"]]
    r1, r2 = rounds

    # ---------------------------------------------------------------- round 1: coopérations locales
    d.advance(r1)  # lobby -> diverge
    i = {}
    i["poids"] = d.idea(
        "FatouAsso", "Un groupe de travail où le représentant associatif a autant de poids que le représentant institutionnel", r1
    )
    i["exterieur"] = d.idea(
        "NadiaDDETS", "Une animation confiée à une personne extérieure aux institutions, pour éviter les jeux de pouvoir", r1
    )
    i["lisible"] = d.idea("ThomasR-cdv", "Rendre lisible le rôle de chacun : qui fait quoi, comment et avec qui", r1)
    i["collectif"] = d.idea(
        "HeleneCSC", "Monter des actions portées par plusieurs associations plutôt que des réponses séparées aux appels à projet", r1
    )
    i["vite"] = d.idea(
        "Claire.adjointe", "Passer rapidement à l'action après le diagnostic, avec des actions modestes qui montrent la direction", r1
    )
    i["temps"] = d.idea("MarcPro31", "Des temps de travail dédiés à la coopération dans les missions de chaque partenaire", r1)
    i["conseil"] = d.idea("Samira-B", "Accompagner et former le conseil citoyen pour qu'il porte une parole habitante", r1)
    i["lambda"] = d.idea("Yasmina.T", "Aller vers l'habitant « lambda », pas seulement ceux qui sont déjà engagés", r1)
    i["rencontre"] = d.idea("KarimCDV", MERGED_AWAY_1, r1)
    i["lieu"] = d.idea(None, "Un lieu de rencontre au cœur du quartier, ouvert à tous", r1)  # a paper sticky note
    i["zonage"] = d.idea("PaulV-elu", "Dépasser le carcan des appels à projet annuels, qui ne sont pas dans la bonne temporalité", r1)
    i["insulte"] = d.idea("JeanLuc42", HIDDEN_TEXT, r1)
    i["retire"] = d.idea("JeanLuc42", WITHDRAWN_TEXT, r1)
    d.ok("hide_idea", d.fac, idea_id=i["insulte"], hidden=True)
    d.ok("withdraw_idea", d.people["JeanLuc42"], idea_id=i["retire"])
    d.ok("merge_ideas", d.fac, idea_id=i["rencontre"], into_id=i["lambda"])
    d.advance(r1)  # -> define
    t_gov = d.theme(
        r1,
        "Gouvernance partagée",
        "Donner à chaque partenaire, associations et habitants compris, une place réelle dans les décisions du contrat de ville",
        [
            "Un groupe de travail multi-partenarial se réunit au moins quatre fois par an",
            "Associations et conseil citoyen y siègent avec une voix égale à celle des institutions",
        ],
        [i["poids"], i["exterieur"], i["lisible"]],
    )
    t_agir = d.theme(
        r1,
        "Agir ensemble, vite",
        "Passer du diagnostic partagé à des actions portées collectivement",
        ["Au moins trois actions co-portées par plusieurs structures d'ici un an"],
        [i["collectif"], i["vite"], i["temps"]],
    )
    t_parole = d.theme(
        r1,
        "Parole des habitants",
        "Faire entendre la parole des habitants, y compris celle des moins engagés",
        ["Nombre d'habitants rencontrés en dehors des instances", "Le conseil citoyen rend un avis sur chaque action du contrat"],
        [i["conseil"], i["lambda"], i["lieu"]],
    )
    d.votes(
        "theme",
        {
            "Samira-B": {t_parole: 2, t_gov: 1},
            "JeanLuc42": {t_parole: 2},
            "Yasmina.T": {t_parole: 2, t_agir: 1},
            "Claire.adjointe": {t_agir: 2, t_gov: 1},
            "PaulV-elu": {t_agir: 2},
            "NadiaDDETS": {t_gov: 2, t_agir: 2},
            "ThomasR-cdv": {t_gov: 2},
            "KarimCDV": {t_gov: 2, t_agir: 1},
            "FatouAsso": {t_gov: 2, t_parole: 2},
            "HeleneCSC": {t_parole: 2},
            "MarcPro31": {t_agir: 1, t_gov: 1},
        },
    )
    d.advance(r1)  # -> converge; keeps the top 2: gouvernance, parole
    a_gt = d.action(
        t_gov,
        "Créer un groupe de travail multi-partenarial de quartier",
        {
            "description": "Un lieu de coopération horizontale, animé hors des instances habituelles, où l'on ne parle ni programmes ni dispositifs.",
            "owner": "Direction de la vie locale (mairie)",
            "partners": ["Centre social et culturel", "Délégué·e du préfet", "Conseil départemental", "Conseil citoyen"],
            "deadline": "Premier trimestre 2021",
            "resources": "Une demi-journée d'animation par mois ; salle du centre social",
            "indicators": ["Nombre de réunions tenues", "Part des membres associatifs et habitants"],
            "status": "planned",
        },
        ideas=[i["poids"], i["lisible"]],
    )
    a_atc = d.action(
        t_gov,
        "Confier l'animation territoriale à une personne extérieure aux institutions",
        {
            "owner": "Centre social et culturel",
            "partners": ["ANCT", "Régie de quartier"],
            "deadline": "Septembre 2021",
            "resources": "Un poste cofinancé (ANCT, commune)",
            "indicators": ["Poste pourvu", "Nombre de coopérations nouvelles"],
        },
        ideas=[i["exterieur"]],
        who="NadiaDDETS",
    )
    a_form = d.action(
        t_parole,
        "Former les membres du conseil citoyen aux rouages du contrat de ville",
        {
            "owner": "Centre de ressources Villes et Territoires Occitanie",
            "partners": ["Conseil citoyen", "Délégué·e du préfet"],
            "deadline": "Premier semestre 2021",
            "resources": "Quatre sessions de formation ; 2 000 €",
            "indicators": ["Nombre de membres formés", "Avis rendus par le conseil citoyen"],
        },
        ideas=[i["conseil"]],
    )
    a_perm = d.action(
        t_parole, "Tenir des permanences « aller vers » au pied des immeubles", {}, ideas=[i["rencontre"], i["lieu"]], who="Samira-B"
    )
    d.votes(
        "action",
        {
            "Samira-B": {a_perm: 2, a_form: 2},
            "JeanLuc42": {a_perm: 2, a_gt: 1},
            "Yasmina.T": {a_perm: 2, a_form: 1},
            "Claire.adjointe": {a_gt: 2, a_form: 1},
            "PaulV-elu": {a_form: 2, a_gt: 1},
            "NadiaDDETS": {a_gt: 2, a_atc: 2},
            "ThomasR-cdv": {a_gt: 2, a_atc: 2},
            "KarimCDV": {a_gt: 2, a_atc: 1},
            "FatouAsso": {a_form: 2, a_perm: 1},
            "HeleneCSC": {a_gt: 1},
            "MarcPro31": {a_atc: 2},
            "Invite77": {a_gt: 1},
        },
    )
    d.advance(r1)  # -> closed

    # ---------------------------------------------------------------- round 2: transitions
    d.advance(r2)
    j = {}
    j["vrac"] = d.idea("FatouAsso", "Développer les groupements d'achat pour une alimentation de qualité à petit prix, comme VRAC", r2)
    j["jardins"] = d.idea("Samira-B", "Des jardins partagés et une ferme urbaine au cœur du quartier", r2)
    j["potager"] = d.idea("Yasmina.T", MERGED_AWAY_2, r2)
    j["potager2"] = d.idea("JeanLuc42", "Des bacs potagers au pied des tours", r2)
    j["fraicheur"] = d.idea("ThomasR-cdv", "Végétaliser les espaces publics pour créer des îlots de fraîcheur", r2)
    j["troc"] = d.idea("JeanLuc42", "Valoriser les pratiques populaires déjà là : troc, réparation, entraide", r2)
    j["factures"] = d.idea("PaulV-elu", "Concilier fin du mois et fin du monde :\ndes économies d'énergie qui allègent les factures", r2)
    j["former"] = d.idea("MarcPro31", "Former les professionnels de la politique de la ville aux enjeux des transitions", r2)
    d.ok("merge_ideas", d.fac, idea_id=j["potager"], into_id=j["jardins"])
    d.ok("merge_ideas", d.fac, idea_id=j["potager2"], into_id=j["jardins"])
    d.advance(r2)  # -> define
    t_alim = d.theme(
        r2,
        "Alimentation durable",
        "Rendre une alimentation de qualité accessible à tous les habitants du quartier",
        ["Nombre de foyers adhérents au groupement d'achat", "Surface cultivée en jardins partagés"],
        [j["vrac"], j["jardins"]],
    )
    t_nature = d.theme(
        r2,
        "Nature en ville",
        "Rafraîchir le quartier et y ramener le végétal",
        ["Surface désimperméabilisée", "Nombre d'arbres plantés"],
        [j["fraicheur"]],
    )
    t_sobre = d.theme(
        r2,
        "Sobriété choisie, pas subie",
        "S'appuyer sur les pratiques des habitants pour réduire les dépenses et l'empreinte du quartier",
        ["Économies mesurées sur les factures des ménages accompagnés"],
        [j["troc"], j["factures"]],
    )
    d.votes(
        "theme",
        {
            "Samira-B": {t_alim: 2, t_sobre: 2},
            "JeanLuc42": {t_sobre: 2, t_alim: 1},
            "Yasmina.T": {t_alim: 2},
            "Claire.adjointe": {t_nature: 2, t_alim: 1},
            "PaulV-elu": {t_sobre: 2, t_nature: 1},
            "NadiaDDETS": {t_nature: 2},
            "ThomasR-cdv": {t_nature: 2, t_alim: 1},
            "FatouAsso": {t_alim: 2, t_sobre: 1},
            "MarcPro31": {t_sobre: 1},
        },
    )
    d.advance(r2, kept_theme_ids=[t_alim, t_sobre])  # the room chose these two
    b_vrac = d.action(
        t_alim,
        "Lancer un groupement d'achat au centre social",
        {
            "description": "Des produits issus de l'agriculture paysanne et biologique à prix coûtant, commandés chaque mois.",
            "owner": "Association VRAC Occitanie",
            "partners": ["Centre social et culturel", "Bailleur social"],
            "deadline": "Juin 2021",
            "resources": "Un local de stockage ; 5 000 € d'amorçage (contrat de ville)",
            "indicators": ["Nombre de foyers adhérents", "Volume de commandes mensuelles"],
            "status": "planned",
        },
        ideas=[j["vrac"]],
    )
    b_jardin = d.action(
        t_alim,
        "Créer un jardin partagé sur la friche de la rue des Écoles",
        {
            "owner": "Ville — service des espaces verts",
            "partners": ["Conseil citoyen", "Jardins familiaux"],
            "deadline": "Printemps 2022",
            "resources": "Terrain communal, outillage, une animatrice deux jours par semaine",
            "indicators": ["Surface cultivée", "Nombre de jardiniers réguliers"],
        },
        ideas=[j["jardins"]],
    )
    b_repair = d.action(
        t_sobre,
        "Ouvrir un repair café et une grainothèque",
        {
            "owner": "Régie de quartier",
            "partners": ["Habitants bénévoles", "Médiathèque"],
            "deadline": "Fin 2021",
            "resources": "Un local en rez-de-chaussée ; petit outillage",
            "indicators": ["Objets réparés par mois"],
        },
        ideas=[j["troc"]],
    )
    d.votes(
        "action",
        {
            "Samira-B": {b_jardin: 2, b_vrac: 2},
            "JeanLuc42": {b_repair: 2, b_jardin: 2},
            "Yasmina.T": {b_jardin: 2},
            "Claire.adjointe": {b_vrac: 2},
            "PaulV-elu": {b_repair: 2},
            "NadiaDDETS": {b_vrac: 1},
            "KarimCDV": {b_vrac: 2},
            "FatouAsso": {b_vrac: 2, b_repair: 1},
            "HeleneCSC": {b_repair: 2},
        },
    )
    d.ok("hide_idea", d.fac, idea_id=j["former"], hidden=True)  # moderated late, during converge
    d.advance(r2)  # -> closed
    return d


def fix_timestamps(snapshot: dict) -> dict:
    """Replace every creation time by a fixed one, so documents are byte-stable."""
    snap = copy.deepcopy(snapshot)
    snap["workshop"]["created_at"] = "2020-11-03T08:00:00Z"
    for n, p in enumerate(snap["participants"]):
        p["joined_at"] = f"2020-11-03T09:{n:02d}:00Z"
    n = 0
    for r in snap["rounds"]:
        for idea in r["ideas"]:
            idea["created_at"] = f"2020-11-03T{10 + n // 60:02d}:{n % 60:02d}:00Z"
            idea["updated_at"] = f"2020-11-03T{10 + n // 60:02d}:{n % 60:02d}:30Z"
            n += 1
        for a in r["actions"]:
            a["created_at"] = f"2020-11-03T15:{n % 60:02d}:00Z"
            n += 1
        for data in r["syntheses"].values():
            if data and data.get("vote"):
                data["vote"] = {**data["vote"], "opened_at": "2020-11-03T14:00:00Z", "closed_at": "2020-11-03T14:10:00Z"}
    return snap


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The seed workshop on its own SQLite file (golden files must not depend on the engine)."""
    path = tmp_path_factory.mktemp("exports") / "workshop.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    service = WorkshopService(db)
    driver = build_seed_workshop(service)
    yield service, driver
    db.dispose()


@pytest.fixture(scope="module")
def snapshot(seeded):
    service, driver = seeded
    return fix_timestamps(service.full_snapshot(driver.id))


# --------------------------------------------------------------------------- helpers


def check_golden(name: str, data: bytes) -> None:
    """Compare with tests/golden/<name>; UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if not UPDATE:
            pytest.fail(f"golden file {name} was missing and has been written: review and commit it")
        return
    expected = path.read_bytes()
    if expected != data:
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(),
            data.decode("utf-8", "replace").splitlines(),
            f"golden/{name}",
            "now",
            lineterm="",
            n=2,
        )
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n" + "\n".join(list(diff)[:80]))


def visible_texts(snapshot: dict) -> list[str]:
    return [i["text"] for r in snapshot["rounds"] for i in r["ideas"] if not (i["hidden"] or i["withdrawn"] or i["merged_into"])]


def secrets_of(snapshot: dict, driver: Driver) -> list[str]:
    """What must never appear in a document: moderated/withdrawn/merged-away texts, pseudonyms, tokens, the code."""
    return [
        HIDDEN_TEXT,
        WITHDRAWN_TEXT,
        MERGED_AWAY_1,
        MERGED_AWAY_2,
        *[p for p in PEOPLE],
        *driver.tokens,
        driver.facilitator_token,
        driver.code,
        "Former les professionnels de la politique de la ville aux enjeux des transitions",
    ]


def docx_text(data: bytes) -> str:
    """Every piece of text inside the .docx package (document, headers, footers, properties)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8")) for n in z.namelist() if n.endswith(".xml"))


def golden_json(data: bytes) -> bytes:
    return data.replace(f'"generator": "workshop {__version__}"'.encode(), b'"generator": "workshop"')


# --------------------------------------------------------------------------- the scenario itself


def test_fixture_has_what_the_documents_must_handle(snapshot):
    r1, r2 = snapshot["rounds"]
    assert [r["phase"] for r in snapshot["rounds"]] == ["closed", "closed"]
    assert any(i["hidden"] for i in r1["ideas"]) and any(i["withdrawn"] for i in r1["ideas"])
    assert any(i["merged_into"] for i in r2["ideas"]) and any(i["on_behalf"] for i in r1["ideas"])
    assert [t["title"] for t in r1["themes"] if t["kept"]] == ["Gouvernance partagée", "Parole des habitants"]
    assert snapshot["workshop"]["settings"]["equal_weight"] is True
    assert len(visible_texts(snapshot)) == 15
    report = build_report(snapshot)
    actions = report["rounds"][0]["actions"]
    # Equal weight must really change something here, or the documents would not show the difference.
    assert [a["rank"] for a in actions] != [a["equal_weight_rank"] for a in actions]


def test_report_model(snapshot):
    report = build_report(snapshot)
    assert [r["label"] for r in report["participation"]["rows"]] == [
        "habitant",
        "élu·e",
        "agent",
        "association",
        "professionnel",
        "non précisé",
    ]
    assert report["participation"]["total"]["participants"] == len(PEOPLE)
    r1 = report["rounds"][0]
    assert [t["kept"] for t in r1["themes"]] == [True, True, False]  # kept themes first
    top = r1["actions"][0]
    assert top["title"] == "Créer un groupe de travail multi-partenarial de quartier"
    assert top["dots"] == sum(g["dots"] for g in top["by_group"])
    assert [i["text"] for i in top["ideas"]][0].startswith("Un groupe de travail")
    # The merged-away idea of the lineage is followed to the idea standing for it.
    perm = next(a for a in r1["actions"] if a["title"].startswith("Tenir des permanences"))
    assert [i["text"] for i in perm["ideas"]] == [
        "Aller vers l'habitant « lambda », pas seulement ceux qui sont déjà engagés",
        "Un lieu de rencontre au cœur du quartier, ouvert à tous",
    ]
    assert [i["no"] for i in report["annex"]] == list(range(1, 16))
    assert sorted(i["text"] for i in report["annex"]) == sorted(visible_texts(snapshot))


def test_export_api():
    assert {"json", "markdown", "csv", "html", "docx"} == FORMATS
    assert media_type("docx").startswith("application/vnd.openxmlformats")
    assert extension("markdown") == "md"
    with pytest.raises(ValidationError):
        export({"workshop": {}}, "pdf")
    with pytest.raises(ValidationError):
        export({"workshop": {}}, "markdown", lang="de")


def test_filenames(snapshot):
    assert filename(snapshot, "docx") == "compte-rendu-quelle-politique-de-la-ville-demain-2020-11-03.docx"
    assert filename(snapshot, "csv", table="actions") == "actions-quelle-politique-de-la-ville-demain-2020-11-03.csv"
    assert filename(snapshot, "markdown", "en") == "summary-quelle-politique-de-la-ville-demain-2020-11-03.md"


# --------------------------------------------------------------------------- golden documents


def test_markdown_golden(snapshot):
    check_golden("summary.fr.md", export(snapshot, "markdown"))


def test_markdown_english_golden(snapshot):
    out = export(snapshot, "markdown", lang="en").decode()
    assert "## Round 1" in out and "Priority actions" in out and "not specified" in out
    check_golden("summary.en.md", out.encode())


def test_html_golden(snapshot):
    check_golden("summary.fr.html", export(snapshot, "html"))


@pytest.mark.parametrize("table", CSV_TABLES)
def test_csv_golden(snapshot, table):
    data = export(snapshot, "csv", table=table)
    assert data.startswith("\ufeff".encode())
    check_golden(f"{table}.fr.csv", data)


def test_json_golden_and_schema(snapshot):
    data = export(snapshot, "json")
    doc = json.loads(data)
    assert doc["schema"] == SCHEMA_ID
    assert validate(doc) == []
    check_golden("export.json", golden_json(data))


def test_published_schema_is_current():
    path = ROOT / "docs" / "export-schema.json"
    if UPDATE:
        path.write_text(schema_text(), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == schema_text(), "docs/export-schema.json is stale: UPDATE_GOLDEN=1"
    assert json.loads(path.read_text(encoding="utf-8"))["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_with_jsonschema_when_installed(snapshot):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(json.loads(export(snapshot, "json", personal_data=True)), SCHEMA)


def test_validator_reports_problems(snapshot):
    doc = json.loads(export(snapshot, "json"))
    doc["rounds"][0]["ideas"][0]["text"] = 12
    del doc["rounds"][1]["themes"][0]["title"]
    doc["surprise"] = True
    errors = validate(doc)
    assert "$.rounds[0].ideas[0].text: expected string" in errors
    assert "$.rounds[1].themes[0]: missing 'title'" in errors
    assert "$: unexpected 'surprise'" in errors


# --------------------------------------------------------------------------- privacy in every document


@pytest.mark.parametrize("fmt", ["markdown", "html", "docx", "csv"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_hidden_idea_pseudonym_or_token_in_documents(seeded, snapshot, fmt, lang):
    _, driver = seeded
    blobs = [export(snapshot, fmt, lang, table=t) for t in CSV_TABLES] if fmt == "csv" else [export(snapshot, fmt, lang)]
    for data in blobs:
        text = docx_text(data) if fmt == "docx" else data.decode("utf-8")
        for secret in secrets_of(snapshot, driver):
            assert secret not in text, f"{secret!r} leaked into the {fmt} export"


def test_json_keeps_moderation_but_no_secrets(seeded, snapshot):
    _, driver = seeded
    text = export(snapshot, "json").decode()
    for secret in [*PEOPLE, *driver.tokens, driver.facilitator_token, f'"{driver.code}"']:
        assert secret not in text
    doc = json.loads(text)
    hidden = [i for r in doc["rounds"] for i in r["ideas"] if i["hidden"]]
    assert [i["text"] for i in hidden][0] == HIDDEN_TEXT  # flagged, so an import keeps it moderated
    assert all(p["pseudonym"] is None for p in doc["participants"])
    with_names = json.loads(export(snapshot, "json", personal_data=True))
    assert sorted(p["pseudonym"] for p in with_names["participants"]) == sorted(PEOPLE)
    assert driver.tokens[0] not in json.dumps(with_names)


# --------------------------------------------------------------------------- CSV for a French spreadsheet


def test_csv_opens_in_a_french_spreadsheet(snapshot):
    raw = export(snapshot, "csv", table="actions")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Tour", "Rang", "Action"]
    assert {"habitant", "élu·e", "agent", "association", "professionnel", "non précisé", "Poids égal (%)", "Rang à poids égal"} <= set(
        header
    )
    first = dict(zip(header, rows[1]))
    assert first["Porteur"] == "Direction de la vie locale (mairie)"
    assert re.fullmatch(r"\d+,\d", first["Poids égal (%)"])  # decimal comma
    assert first["Partenaires"].split("\n")[0] == "Centre social et culturel"  # one cell, several lines
    english = export(snapshot, "csv", "en", table="votes").decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Round,Vote,Rank,Proposal,Dots,Voters")


def test_csv_defuses_formulas():
    from workshop.exports.csv_export import safe

    assert safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe("-2+3") == "'-2+3" and safe("@SUM(A1)") == "'@SUM(A1)"
    assert safe(-3) == "-3" and safe("Un jardin") == "Un jardin"


# --------------------------------------------------------------------------- Word


def test_docx_reopens_with_headings_sheets_and_annex(snapshot):
    from docx import Document

    data = export(snapshot, "docx")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "summary.fr.docx").write_bytes(data)
    doc = Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    h1 = [t for s, t in headings if s == "Heading 1"]
    assert h1 == [
        "L'essentiel",
        "Contexte et démarche",
        "Participation",
        f"Tour 1 — {QUESTION_1}",
        f"Tour 2 — {QUESTION_2}",
        "Annexe : toutes les idées",
    ]
    h3 = [t for s, t in headings if s == "Heading 3"]
    assert "1. Créer un groupe de travail multi-partenarial de quartier" in h3
    assert any(t.startswith("Gouvernance partagée") for t in h3)
    assert doc.core_properties.title == "Quelle politique de la ville demain ?"
    assert doc.paragraphs[1].style.name == "Title"

    sheets = {}
    for table in doc.tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        if cells and cells[0][0] == "Porteur":
            sheets[cells[0][1]] = dict((row[0], row[1]) for row in cells)
    sheet = sheets["Direction de la vie locale (mairie)"]
    assert sheet["Partenaires"] == "Centre social et culturel, Délégué·e du préfet, Conseil départemental, Conseil citoyen"
    assert sheet["Échéance"] == "Premier trimestre 2021"
    assert sheet["Moyens"] == "Une demi-journée d'animation par mois ; salle du centre social"
    assert sheet["Indicateurs"] == "Nombre de réunions tenues\u00a0; Part des membres associatifs et habitants"
    assert sheet["Statut"] == "programmée"
    assert sheets["à préciser"]["Échéance"] == "à préciser"  # the incomplete sheet says so
    assert len(sheets) == 7

    participation = next(t for t in doc.tables if t.rows[0].cells[0].text == "Collège")
    assert [r.cells[0].text for r in participation.rows][1:] == [
        "habitant",
        "élu·e",
        "agent",
        "association",
        "professionnel",
        "non précisé",
        "Total",
    ]
    annex = doc.tables[-1]
    assert [c.text for c in annex.rows[0].cells] == ["N°", "Tour", "Idée", "Collège", "Thème"]
    assert len(annex.rows) - 1 == len(visible_texts(snapshot))
    assert {r.cells[2].text.split(" (")[0] for r in annex.rows[1:]} >= {
        "Des temps de travail dédiés à la coopération dans les missions de chaque partenaire"
    }
    vote_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Rang"]
    assert "Rang à poids égal" in [c.text for c in vote_tables[0].rows[0].cells]


def test_docx_english(snapshot):
    from docx import Document

    doc = Document(io.BytesIO(export(snapshot, "docx", "en")))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1[:2] == ["Summary", "Context and method"] and h1[-1] == "Appendix: every idea"


# --------------------------------------------------------------------------- HTML printed by Chromium


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_html_prints_to_a_pdf(snapshot, lang, browser):
    html = export(snapshot, "html", lang).decode()
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"summary.{lang}.html").write_text(html, encoding="utf-8")
    # A4 minus the @page side margins (17 mm each) = 176 mm = 665 CSS px.  Anything wider
    # makes Chromium shrink every page to fit, so nothing may overflow that width.
    context = browser.new_context(viewport={"width": 665, "height": 940})
    try:
        page = context.new_page()
        page.set_content(html, wait_until="load")
        page.emulate_media(media="print")
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(el => el.tagName + '.' + el.className).slice(0, 5)"
        )
        assert overflow == [], f"wider than A4: {overflow}"
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    path = ARTIFACTS / f"summary.{lang}.pdf"
    path.write_bytes(pdf)
    assert pdf.startswith(b"%PDF")

    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
        pages = text.count("\f")
        flat = re.sub(r"\s+", " ", text)
        assert "Quelle coopération idéale entre les partenaires" in flat
        assert "Créer un groupe de travail multi-partenarial de quartier" in flat
        assert re.search(r"Page 3 (sur|of) \d+", flat)  # the running footer of the print stylesheet
        assert HIDDEN_TEXT not in flat
    else:
        try:
            from pypdf import PdfReader
        except ImportError:  # neither poppler-utils nor pypdf: the structure and size must do
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            assert len(pdf) > 20_000
        else:
            reader = PdfReader(io.BytesIO(pdf))
            pages = len(reader.pages)
            assert "Quelle coopération idéale" in re.sub(r"\s+", " ", "".join(p.extract_text() for p in reader.pages))
    assert pages >= 2
    if shutil.which("pdftoppm"):  # page images, to look at (tests/artifacts/exports/<lang>-page-N.png)
        for old in ARTIFACTS.glob(f"{lang}-page-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / f"{lang}-page")], check=True)


# --------------------------------------------------------------------------- import: the round trip


def _without_volatile(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc.pop("generator", None)
    return doc


def test_json_round_trip(seeded, snapshot):
    service, driver = seeded
    first = json.loads(export(snapshot, "json", personal_data=True))
    created = import_snapshot(service.db, first)
    assert created["workshop"]["id"] != driver.id
    assert created["workshop"]["code"] != driver.code
    assert created["facilitator_token"] != driver.facilitator_token
    again = json.loads(export(service.full_snapshot(created["workshop"]["id"]), "json", personal_data=True))
    assert _without_volatile(again) == _without_volatile(first)
    # The copy is a working workshop: its facilitator link opens it, old participant links do not.
    actor = service.authenticate(facilitator_token=created["facilitator_token"])
    assert actor.workshop_id == created["workshop"]["id"]
    new_snapshot = service.full_snapshot(created["workshop"]["id"])
    assert new_snapshot["plan"]["rounds"][0]["actions"][0]["title"] == "Créer un groupe de travail multi-partenarial de quartier"
    # and the documents it gives are the same
    assert export(fix_timestamps(new_snapshot), "markdown") == export(snapshot, "markdown")


def test_import_from_golden_file_and_from_raw_snapshot(seeded, snapshot):
    service, _ = seeded
    golden = json.loads((GOLDEN / "export.json").read_text(encoding="utf-8"))
    created = import_snapshot(service.db, golden)
    again = json.loads(export(service.full_snapshot(created["workshop"]["id"]), "json"))
    assert _without_volatile(again) == _without_volatile(golden)
    raw = json.loads(json.dumps(snapshot))  # what /f/<token>/export.json served: workshop-snapshot/1
    created = import_snapshot(service.db, raw)
    assert export(fix_timestamps(service.full_snapshot(created["workshop"]["id"])), "html") == export(snapshot, "html")


def test_import_works_on_every_engine(service, snapshot):
    """The shared fixture runs this on SQLite and PostgreSQL."""
    doc = json.loads(export(snapshot, "json", personal_data=True))
    created = import_snapshot(service.db, doc)
    again = json.loads(export(service.full_snapshot(created["workshop"]["id"]), "json", personal_data=True))
    assert _without_volatile(again) == _without_volatile(doc)


@pytest.mark.parametrize(
    "mutate, detail",
    [
        (lambda d: d.update(schema="workshop-export/99"), "unsupported schema"),
        (lambda d: d.pop("rounds"), "missing 'rounds'"),
        (lambda d: d["rounds"][0]["ideas"][0].update(theme=999), "theme 999"),
        (lambda d: d["rounds"][0]["ideas"][1].update(merged_into=d["rounds"][0]["ideas"][1]["ref"]), "merged into"),
        (lambda d: d["rounds"][0]["votes"].append(dict(d["rounds"][0]["votes"][0])), "duplicate vote"),
        (lambda d: d["rounds"][0]["actions"][0].update(ideas=[d["rounds"][1]["ideas"][0]["ref"]]), "unknown idea"),
        (lambda d: d["workshop"]["settings"].update(dot_budget=0), "bad settings"),
        (lambda d: d["rounds"][1].update(position=1), "duplicate round position"),
        (lambda d: d["participants"][0].update(group="x" * 41), "longer than 40"),
    ],
)
def test_import_rejects_bad_input(seeded, snapshot, mutate, detail):
    service, _ = seeded
    from sqlalchemy import func, select

    from workshop.storage.models import Workshop

    doc = json.loads(export(snapshot, "json"))
    mutate(doc)
    with service.db.sessions() as s:
        before = s.scalar(select(func.count()).select_from(Workshop))
    with pytest.raises(ValidationError) as error:
        import_snapshot(service.db, doc)
    assert error.value.code == "invalid_import"
    assert detail in error.value.params["detail"]
    with service.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Workshop)) == before  # nothing half-imported


def test_import_rejects_non_objects(seeded):
    service, _ = seeded
    for bad in (None, [], "workshop", {"schema": None}):
        with pytest.raises(ValidationError):
            import_snapshot(service.db, bad)


# --------------------------------------------------------------------------- robustness


HOSTILE = '<script>alert("x")</script> | **gras** [lien](http://evil) =HYPERLINK("x")\n# titre'


def test_hostile_text_stays_text(snapshot):
    """Exports are pure functions: feed them a snapshot whose texts try to become markup or formulas."""
    snap = copy.deepcopy(snapshot)
    idea = next(i for i in snap["rounds"][0]["ideas"] if not (i["hidden"] or i["withdrawn"] or i["merged_into"]))
    idea["text"] = HOSTILE
    snap["rounds"][0]["actions"][0]["owner"] = "=1+1"
    snap["workshop"]["title"] = 'Atelier "</style><script>x</script>'
    html = export(snap, "html").decode()
    assert "<script" not in html and "&lt;script&gt;" in html
    assert html.count("</style>") == 1  # the title in the running-header CSS string cannot close the stylesheet
    md = export(snap, "markdown").decode()
    annex_line = next(line for line in md.splitlines() if "alert" in line and line.startswith("| "))
    assert annex_line.count(" | ") == 4  # the pipe typed by someone does not add a column
    assert "\\<script\\>" in md and "\\[lien\\]" in md and "\\*\\*gras" in md
    rows = list(csv.reader(io.StringIO(export(snap, "csv", table="ideas").decode("utf-8-sig"), newline=""), delimiter=";"))
    assert any(r[3] == HOSTILE for r in rows)  # a leading "<" is harmless and kept as typed
    actions = list(csv.reader(io.StringIO(export(snap, "csv", table="actions").decode("utf-8-sig"), newline=""), delimiter=";"))
    assert actions[1][6] == "'=1+1"
    from docx import Document

    doc = Document(io.BytesIO(export(snap, "docx")))
    assert any(HOSTILE.split("\n")[0] in p.text for p in doc.paragraphs)


def test_empty_workshop_exports(tmp_path):
    """A workshop that has not started yet still gives valid documents in every format."""
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    db.upgrade()
    try:
        service = WorkshopService(db)
        created = service.create_workshop("Atelier sans date", rounds=["Dans 10 ans, on aura réussi si…"])
        snap = service.full_snapshot(created["workshop"]["id"])
        for fmt in sorted(FORMATS):
            for lang in ("fr", "en"):
                tables = CSV_TABLES if fmt == "csv" else (None,)
                for table in tables:
                    data = export(snap, fmt, lang, **({"table": table} if table else {}))
                    assert data
        md = export(snap, "markdown").decode()
        assert "Aucune idée." in md and "Aucune action proposée." in md
        assert filename(snap, "html") == "compte-rendu-atelier-sans-date.html"
        doc = json.loads(export(snap, "json"))
        assert validate(doc) == []
        copy_ = import_snapshot(db, doc)
        assert json.loads(export(service.full_snapshot(copy_["workshop"]["id"]), "json"))["rounds"] == doc["rounds"]
    finally:
        db.dispose()


def test_cover_says_when_where_and_who_and_leaves_out_rounds_that_never_ran(tmp_path):
    """Officials read the cover first: date (the day it ran when the plan gave none), place, facilitator;
    a second round planned but never opened is not an empty chapter; equal dots share a rank, marked."""
    db = Database(f"sqlite:///{tmp_path / 'cover.db'}")
    db.upgrade()
    try:
        service = WorkshopService(db)
        created = service.create_workshop("Atelier", rounds=["Q1", "Q2 jamais ouverte"], place="Salle Jean-Moulin", facilitator="Inès B.")
        code = created["workshop"]["code"]
        fac = service.authenticate(facilitator_token=created["facilitator_token"])
        service.advance_phase(fac, {"op_id": "op-cover-0"})
        token = service.join(service.authenticate(code=code), {"op_id": "op-cover-j", "pseudonym": "Awa"}).result["token"]
        service.post_idea(service.authenticate(code=code, token=token), {"op_id": "op-cover-i", "text": "Un jardin partagé"})
        snap = service.full_snapshot(created["workshop"]["id"])
        report = build_report(snap, "fr")
        assert [r["position"] for r in report["rounds"]] == [1]
        assert report["date_label"] and report["place"] == "Salle Jean-Moulin" and report["facilitator"] == "Inès B."
        md = export(snap, "markdown").decode()
        assert "Salle Jean-Moulin" in md and "Inès B." in md and "Q2 jamais ouverte" not in md
        html = export(snap, "html").decode()
        assert "Animation" in html and "Salle Jean-Moulin" in html and "Q2 jamais ouverte" not in html
        assert [r["position"] for r in json.loads(export(snap, "json"))["rounds"]] == [1, 2]  # the data export keeps everything
    finally:
        db.dispose()


def test_equal_dots_share_a_rank_marked_ex_aequo():
    from workshop.exports.common import mark_ties
    from workshop.exports.i18n import wording

    items = [{"dots": d} for d in (9, 7, 7, 7, 3)]
    mark_ties(items, wording("fr"))
    assert [x["rank_label"] for x in items] == ["1", "2 ex æquo", "2 ex æquo", "2 ex æquo", "5"]
    mark_ties(items, wording("en"))
    assert items[1]["rank_label"] == "2 (tied)"

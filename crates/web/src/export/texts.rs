//! Texts of the export pages: (key, Danish, English), sorted by key.

#[rustfmt::skip]
pub static TEXTS: &[(&str, &str, &str)] = &[
    ("klx.audit_link", "Hver levering og hver download står i revisionsloggen.", "Every delivery and every download is in the audit log."),
    ("klx.by", "Lavet af", "Made by"),
    ("klx.by_cli", "Driften (kommandolinje)", "Operations (command line)"),
    ("klx.by_job", "Natlig kørsel", "Nightly job"),
    ("klx.download", "Hent fil", "Download file"),
    ("klx.empty", "Der er ikke lavet nogen leveringer endnu. Den natlige kørsel laver den første efter midnat, når organisationen har en SOR-kode.", "No deliveries yet. The nightly job makes the first one after midnight once the organisation has a SOR code."),
    ("klx.file", "Fil", "File"),
    ("klx.from_start", "Begyndelsen", "The beginning"),
    ("klx.intro", "Indberetningen af det lettilgængelige tilbud til KL Gateway (LTT). Hver nat laves en levering med alle børn, hvis forløb er ændret siden den forrige; hver rapport er kontrolleret mod KL's profiler, før den gemmes. Filerne indeholder CPR-numre: hent dem kun for at indberette.", "The report of the easily accessible offer to KL Gateway (LTT). Every night a delivery is made with every child whose course changed since the previous one; each report is checked against KL's profiles before it is stored. The files hold CPR numbers: download them only to report."),
    ("klx.list_heading", "Leveringer", "Deliveries"),
    ("klx.made", "Lavet", "Made"),
    ("klx.period", "Ændringer i perioden", "Changes in the period"),
    ("klx.reports", "Børn", "Children"),
    ("klx.sor_heading", "SOR-kode", "SOR code"),
    ("klx.sor_hint", "Mindst 11 cifre, fra Sundhedsvæsenets Organisationsregister.", "At least 11 digits, from the Danish health service's organisation register (SOR)."),
    ("klx.sor_intro", "Hver rapport angiver den journalførende organisation med dens SOR-kode. Uden den kan der ikke laves leveringer for", "Each report names the record-keeping organisation by its SOR code. Without it no deliveries can be made for"),
    ("klx.sor_label", "SOR-kode", "SOR code"),
    ("klx.sor_save", "Gem SOR-kode", "Save SOR code"),
    ("klx.sor_saved", "SOR-koden er gemt.", "The SOR code has been saved."),
    ("klx.title", "KL-indberetning", "KL reporting"),
];

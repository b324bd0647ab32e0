//! Words of the message pages, sorted by key.

#[rustfmt::skip]
pub static TEXTS: &[(&str, &str, &str)] = &[
    ("msg.body", "Besked", "Message"),
    ("msg.from", "Fra", "From"),
    ("msg.home_unread", "Ulæste beskeder", "Unread messages"),
    ("msg.intro", "Beskeder mellem kommunen og de organisationer, forløbet er delt med på et samtykke eller lovgrundlag. En besked kan kun sendes inden for den kreds.", "Messages between the municipality and the organisations the course is shared with on a consent or statutory basis. A message can only go within that circle."),
    ("msg.new", "ny", "new"),
    ("msg.new_thread", "Ny besked", "New message"),
    ("msg.no_recipients", "Forløbet er ikke delt med andre organisationer på et grundlag nu, så der er ingen at skrive til.", "The course is not shared with other organisations on a basis now, so there is no one to write to."),
    ("msg.none", "Ingen beskeder.", "No messages."),
    ("msg.reply", "Svar", "Reply"),
    ("msg.send", "Send", "Send"),
    ("msg.subject", "Emne", "Subject"),
    ("msg.title", "Beskeder", "Messages"),
    ("msg.to", "Til", "To"),
    ("msg.unread_count", "ulæste", "unread"),
];

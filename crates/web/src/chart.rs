//! Small server-rendered SVG charts: a scale's score over time, with the points
//! where the change from the first measurement is reliable marked.

use std::fmt::Write;

/// One measurement of one scale.
pub struct Point {
    pub label: String,
    pub score: i64,
    /// Reliable change since the first measurement: Some(true) improved, Some(false) worsened.
    pub reliable: Option<bool>,
}

const W: f64 = 360.0;
const H: f64 = 160.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A line chart of `points` on the scale range `min..=max`. `title` and `desc`
/// are read out by screen readers; the numbers are also given as a table on the page.
/// `id` must be unique on the page: it names the chart's title and description.
pub fn line_chart(
    id: &str,
    title: &str,
    desc: &str,
    min: i64,
    max: i64,
    points: &[Point],
) -> String {
    let span = (max - min).max(1) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |i: usize| {
        if points.len() <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |v: i64| TOP + plot_h * (1.0 - (v - min) as f64 / span);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc),
        id = esc(id)
    );
    for v in [min, (min + max) / 2, max] {
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#c9d0d8"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#4a5360">{v}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.score)))
        .collect();
    if path.len() > 1 {
        let _ = write!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#0b5cad" stroke-width="2"/>"##,
            path.join(" ")
        );
    }
    for (i, p) in points.iter().enumerate() {
        let (fill, r) = match p.reliable {
            Some(true) => ("#1e5b2c", 6.0),
            Some(false) => ("#a4161a", 6.0),
            None => ("#0b5cad", 4.0),
        };
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{fill}"/><text x="{:.1}" y="{}" font-size="10" text-anchor="middle" fill="#4a5360">{}</text>"##,
            x(i),
            y(p.score),
            x(i),
            H - 10.0,
            esc(&p.label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(label: &str, score: i64, reliable: Option<bool>) -> Point {
        Point {
            label: label.into(),
            score,
            reliable,
        }
    }

    #[test]
    fn points_are_placed_on_the_scale_and_marked() {
        let svg = line_chart(
            "c1",
            "Total",
            "from 20 to 8",
            0,
            40,
            &[p("jan", 20, None), p("jun", 8, Some(true))],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-labelledby="c1-t c1-d""#));
        assert!(svg.contains("<title id=\"c1-t\">Total</title>"));
        // 20 of 0..40 lies half-way down the plot area (12 + 114 * 0.5).
        assert!(svg.contains(r#"cy="69.0""#), "{svg}");
        assert!(
            svg.contains(r##"fill="#1e5b2c""##),
            "reliable improvement is marked"
        );
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn text_is_escaped() {
        let svg = line_chart("c2", "<b>", "a & b", 0, 10, &[p("\"x\"", 1, None)]);
        assert!(
            svg.contains("&lt;b&gt;") && svg.contains("a &amp; b") && svg.contains("&quot;x&quot;")
        );
        assert!(!svg.contains("<polyline"), "one point draws no line");
    }
}

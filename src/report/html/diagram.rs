//! [`Diagram`]: a sequence diagram drawn by hand as inline SVG — lanes (lifelines) side by
//! side, rows top to bottom in the order things happened, each row an arrow between two
//! lanes or a note over one. The transcript's diagram and the captured packets' lane are
//! both built as a `Diagram` (see `sequence.rs` and `packets.rs`) and drawn here.
//!
//! No library and no font metrics: a label's width is estimated from its characters (a CJK
//! character is as wide as two Latin ones), labels are cut to a sane length (the whole text
//! is the row's `<title>`, a tooltip), and each gap between two lanes is as wide as the
//! longest label that crosses it. Every text is escaped here, whatever its origin. Arrows and
//! notes carry `data-` attributes (`data-arrow`, `data-packet`, `data-note`,
//! `data-failed-step`) so a test, or a reader's script, can count them.

use std::fmt::Write as _;

use super::esc;

/// Font size of labels, in pixels.
const FONT: f64 = 12.0;
/// Longest label shown, in columns (a CJK character is two); longer ones are cut with `…`.
pub const LABEL_COLUMNS: usize = 44;
/// The same for notes and the failed step.
const WIDE_LABEL_COLUMNS: usize = 64;
/// Longest tooltip (the whole message, within reason: matched output can be long).
const TITLE_COLUMNS: usize = 600;
/// Narrowest and widest gap between two lanes.
const MIN_GAP: f64 = 120.0;
const MAX_GAP: f64 = 500.0;
/// Height of the lane heads.
const HEAD: f64 = 40.0;
/// Top of the lane heads.
const TOP: f64 = 6.0;

/// A lifeline: a peer of the grader, the program, or the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// Its name (`client a`, `your program`).
    pub label: String,
    /// A second, smaller line (an address, the command).
    pub sub: Option<String>,
    /// Its kind, a CSS class: `peer`, `program` or `console`.
    pub kind: &'static str,
    /// The row after which the lifeline stops (the program ended there).
    pub ends_after: Option<usize>,
}

/// What a row draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An arrow from one lane to another.
    Arrow {
        /// Sender lane.
        from: usize,
        /// Receiver lane.
        to: usize,
    },
    /// A note over one lane.
    Note {
        /// The lane.
        lane: usize,
    },
}

/// Whether a row is where the test went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// An ordinary row.
    Plain,
    /// The step the test failed at (`None`: the test as a whole).
    Failed(Option<usize>),
    /// The step a "works here, but fragile" test stumbled at.
    Fragile(Option<usize>),
}

/// One row of the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Arrow or note.
    pub shape: Shape,
    /// The text on it (cut to [`LABEL_COLUMNS`], more for notes and the failed step).
    pub label: String,
    /// A smaller second line (a byte count, what arrived).
    pub detail: Option<String>,
    /// The whole story, shown as a tooltip.
    pub title: String,
    /// What it is (`send`, `fin`, `syn`…): a CSS class `k-<kind>` and the `data-` value.
    pub kind: &'static str,
    /// A time shown in the left margin (packets).
    pub time: Option<String>,
    /// Whether the test went wrong here.
    pub mark: Mark,
}

impl Row {
    /// An arrow row.
    pub fn arrow(from: usize, to: usize, kind: &'static str, label: String) -> Row {
        Row {
            shape: Shape::Arrow { from, to },
            label,
            detail: None,
            title: String::new(),
            kind,
            time: None,
            mark: Mark::Plain,
        }
    }

    /// A note row.
    pub fn note(lane: usize, kind: &'static str, label: String) -> Row {
        Row {
            shape: Shape::Note { lane },
            ..Row::arrow(0, 0, kind, label)
        }
    }

    /// With a second line.
    pub fn detail(mut self, detail: impl Into<String>) -> Row {
        self.detail = Some(detail.into());
        self
    }

    /// With a tooltip.
    pub fn title(mut self, title: impl Into<String>) -> Row {
        self.title = title.into();
        self
    }
}

/// A sequence diagram, ready to draw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagram {
    /// The lifelines, left to right.
    pub lanes: Vec<Lane>,
    /// What happened, top to bottom.
    pub rows: Vec<Row>,
    /// The `data-` attribute naming each arrow's kind: `data-arrow` or `data-packet`.
    pub arrow_attribute: &'static str,
    /// CSS class of the whole drawing (`sequence`, `packets`).
    pub class: &'static str,
    /// What the drawing shows, for screen readers.
    pub caption: String,
}

/// Whether a character takes two columns (CJK, full-width forms, emoji).
fn wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115f | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6 | 0x1f300..=0x1faff
        | 0x20000..=0x3fffd)
}

/// Columns a text takes.
fn columns(text: &str) -> usize {
    text.chars().map(|c| if wide(c) { 2 } else { 1 }).sum()
}

/// Estimated width in pixels of a text at `size`.
fn width(text: &str, size: f64) -> f64 {
    columns(text) as f64 * size * 0.6
}

/// `text` cut to `max` columns, with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    if columns(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = if wide(c) { 2 } else { 1 };
        if used + w > max.saturating_sub(1) {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A lane head's width.
fn head_width(lane: &Lane) -> f64 {
    let sub = lane.sub.as_deref().map_or(0.0, |s| width(s, FONT * 0.85));
    (width(&lane.label, FONT).max(sub) + 16.0).max(80.0)
}

/// A row's height.
fn row_height(row: &Row) -> f64 {
    match (row.shape, &row.detail) {
        (Shape::Arrow { .. }, Some(_)) => 42.0,
        (Shape::Arrow { .. }, None) => 30.0,
        (Shape::Note { .. }, Some(_)) => 44.0,
        (Shape::Note { .. }, None) => 30.0,
    }
}

/// Longest text shown on a row: notes and the failed step get more room.
fn limit(row: &Row) -> usize {
    match (row.shape, row.mark) {
        (Shape::Arrow { .. }, Mark::Plain) => LABEL_COLUMNS,
        _ => WIDE_LABEL_COLUMNS,
    }
}

/// The width a row's text needs.
fn row_width(row: &Row) -> f64 {
    let label = width(&cut(&row.label, limit(row)), FONT);
    let detail = row
        .detail
        .as_deref()
        .map_or(0.0, |d| width(&cut(d, limit(row)), FONT * 0.9));
    label.max(detail) + 20.0
}

impl Diagram {
    /// Number of arrows (for the page's counts and the tests).
    pub fn arrows(&self) -> usize {
        self.rows
            .iter()
            .filter(|row| matches!(row.shape, Shape::Arrow { .. }))
            .count()
    }

    /// The x of each lane and the drawing's width.
    fn columns(&self, margin: f64) -> (Vec<f64>, f64) {
        let count = self.lanes.len();
        let mut gaps = vec![MIN_GAP; count.saturating_sub(1)];
        for (i, gap) in gaps.iter_mut().enumerate() {
            let heads = (head_width(&self.lanes[i]) + head_width(&self.lanes[i + 1])) / 2.0;
            *gap = gap.max(heads + 12.0);
        }
        for row in &self.rows {
            if let Shape::Arrow { from, to } = row.shape {
                let (low, high) = (from.min(to), from.max(to).min(count.saturating_sub(1)));
                if high > low {
                    let each = (row_width(row) / (high - low) as f64).min(MAX_GAP);
                    for gap in &mut gaps[low..high] {
                        *gap = gap.max(each);
                    }
                }
            }
        }
        let mut xs = Vec::with_capacity(count);
        let mut x = 0.0;
        for i in 0..count {
            xs.push(x);
            x += gaps.get(i).copied().unwrap_or(0.0);
        }
        // Everything centred on a lane (heads, notes) must fit: shift right so the leftmost
        // edge is at the margin, and make the drawing as wide as the rightmost edge.
        let mut left: f64 = 0.0;
        let mut right: f64 = 0.0;
        for (lane, &x) in self.lanes.iter().zip(&xs) {
            left = left.min(x - head_width(lane) / 2.0);
            right = right.max(x + head_width(lane) / 2.0);
        }
        for row in &self.rows {
            if let Shape::Note { lane } = row.shape
                && let Some(&x) = xs.get(lane)
            {
                left = left.min(x - row_width(row) / 2.0);
                right = right.max(x + row_width(row) / 2.0);
            }
        }
        let shift = margin - left;
        for x in &mut xs {
            *x += shift;
        }
        (xs, right + shift + 8.0)
    }

    /// The drawing, as an `<svg>` element (no namespace attribute: it lives inside HTML).
    pub fn svg(&self) -> String {
        let margin = if self.rows.iter().any(|r| r.time.is_some()) {
            70.0
        } else {
            8.0
        };
        let (xs, total_width) = self.columns(margin);
        let mut ys = Vec::with_capacity(self.rows.len());
        let mut y = TOP + HEAD + 14.0;
        for row in &self.rows {
            ys.push(y);
            y += row_height(row);
        }
        let height = y + 10.0;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg class="diagram {}" role="img" aria-label="{}" width="{total_width:.0}" height="{height:.0}" viewBox="0 0 {total_width:.0} {height:.0}" data-arrows="{}">"#,
            self.class,
            esc(&self.caption),
            self.arrows()
        );
        self.lifelines(&mut out, &xs, &ys, height);
        for (i, lane) in self.lanes.iter().enumerate() {
            let x = xs[i];
            let w = head_width(lane);
            let _ = write!(
                out,
                r#"<g class="head {}"><rect x="{:.1}" y="{TOP}" width="{w:.1}" height="{HEAD}" rx="5"/><text x="{x:.1}" y="{:.1}" class="lane-label">{}</text>"#,
                lane.kind,
                x - w / 2.0,
                TOP + if lane.sub.is_some() { 16.0 } else { 25.0 },
                esc(&lane.label)
            );
            if let Some(sub) = &lane.sub {
                let _ = write!(
                    out,
                    r#"<text x="{x:.1}" y="{:.1}" class="lane-sub">{}</text>"#,
                    TOP + 32.0,
                    esc(sub)
                );
            }
            out.push_str("</g>");
        }
        for (row, &y) in self.rows.iter().zip(&ys) {
            self.row(&mut out, row, &xs, y);
        }
        out.push_str("</svg>");
        out
    }

    /// The lifelines, stopping where a lane ends.
    fn lifelines(&self, out: &mut String, xs: &[f64], ys: &[f64], height: f64) {
        for (i, lane) in self.lanes.iter().enumerate() {
            let x = xs[i];
            let end = lane
                .ends_after
                .and_then(|row| Some(ys.get(row)? + row_height(self.rows.get(row)?)))
                .unwrap_or(height - 4.0);
            let _ = write!(
                out,
                r#"<line class="lifeline {}" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{end:.1}"/>"#,
                lane.kind,
                TOP + HEAD
            );
            if lane.ends_after.is_some() {
                let _ = write!(
                    out,
                    r#"<path class="lifeline-end" d="M{:.1} {:.1}l10 10m0 -10l-10 10"/>"#,
                    x - 5.0,
                    end - 5.0
                );
            }
        }
    }

    /// One row at height `y`.
    fn row(&self, out: &mut String, row: &Row, xs: &[f64], y: f64) {
        let (mark_class, mark_attribute) = match row.mark {
            Mark::Plain => ("", String::new()),
            Mark::Failed(step) => (
                " failed",
                format!(
                    r#" data-failed-step="{}""#,
                    step.map_or_else(|| "test".to_owned(), |s| s.to_string())
                ),
            ),
            Mark::Fragile(step) => (
                " fragile",
                format!(
                    r#" data-fragile-step="{}""#,
                    step.map_or_else(|| "test".to_owned(), |s| s.to_string())
                ),
            ),
        };
        let label = esc(&cut(&row.label, limit(row)));
        let detail = row.detail.as_deref().map(|d| esc(&cut(d, limit(row))));
        let title = cut(
            if row.title.is_empty() {
                &row.label
            } else {
                &row.title
            },
            TITLE_COLUMNS,
        );
        if let Some(time) = &row.time {
            let _ = write!(
                out,
                r#"<text class="time" x="6" y="{:.1}">{}</text>"#,
                y + 20.0,
                esc(time)
            );
        }
        match row.shape {
            Shape::Arrow { from, to } => {
                let (Some(&x1), Some(&x2)) = (xs.get(from), xs.get(to)) else {
                    return;
                };
                let line_y = y + 18.0;
                let direction = if x2 >= x1 { 1.0 } else { -1.0 };
                let tip = x2 - direction * 2.0;
                let _ = write!(
                    out,
                    r#"<g class="arrow k-{kind}{mark_class}" {attribute}="{kind}"{mark_attribute}><title>{title}</title><line x1="{x1:.1}" y1="{line_y:.1}" x2="{:.1}" y2="{line_y:.1}"/><path class="tip" d="M{tip:.1} {line_y:.1}l{:.1} -4.5v9z"/><text class="label" x="{:.1}" y="{:.1}">{label}</text>"#,
                    tip - direction * 8.0,
                    -direction * 9.0,
                    (x1 + x2) / 2.0,
                    line_y - 5.0,
                    kind = row.kind,
                    attribute = self.arrow_attribute,
                    title = esc(&title),
                );
                if let Some(detail) = detail {
                    let _ = write!(
                        out,
                        r#"<text class="detail" x="{:.1}" y="{:.1}">{detail}</text>"#,
                        (x1 + x2) / 2.0,
                        line_y + 14.0
                    );
                }
                if row.mark != Mark::Plain {
                    let _ = write!(
                        out,
                        r#"<path class="cross" d="M{:.1} {:.1}l10 10m0 -10l-10 10"/>"#,
                        x2 - direction * 24.0 - 5.0,
                        line_y - 5.0
                    );
                }
                out.push_str("</g>");
            }
            Shape::Note { lane } => {
                let Some(&x) = xs.get(lane) else {
                    return;
                };
                let w = row_width(row);
                let h = row_height(row) - 8.0;
                let _ = write!(
                    out,
                    r#"<g class="note k-{kind}{mark_class}" data-note="{kind}"{mark_attribute}><title>{title}</title><rect x="{:.1}" y="{:.1}" width="{w:.1}" height="{h:.1}" rx="4"/><text class="label" x="{x:.1}" y="{:.1}">{label}</text>"#,
                    x - w / 2.0,
                    y + 4.0,
                    y + 19.0,
                    kind = row.kind,
                    title = esc(&title),
                );
                if let Some(detail) = detail {
                    let _ = write!(
                        out,
                        r#"<text class="detail" x="{x:.1}" y="{:.1}">{detail}</text>"#,
                        y + 34.0
                    );
                }
                out.push_str("</g>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(label: &str) -> Lane {
        Lane {
            label: label.to_owned(),
            sub: None,
            kind: "peer",
            ends_after: None,
        }
    }

    #[test]
    fn labels_are_cut_by_columns_and_cjk_counts_double() {
        assert_eq!(cut("hello", 10), "hello");
        assert_eq!(cut("abcdefghijkl", 6), "abcde…");
        assert_eq!(columns("你好"), 4);
        assert_eq!(cut("你好，服务器", 7), "你好，…");
    }

    #[test]
    fn every_text_is_escaped_and_arrows_are_counted() {
        let diagram = Diagram {
            lanes: vec![lane("client <a>"), lane("your \"program\"")],
            rows: vec![
                Row::arrow(0, 1, "send", "<script>alert(1)</script>".into())
                    .detail("5 & 6")
                    .title("<img src=x>"),
                Row::note(1, "listen", "listen() on '0.0.0.0'".into()),
                Row::arrow(1, 0, "recv", "Thanks".into()),
            ],
            arrow_attribute: "data-arrow",
            class: "sequence",
            caption: "a <b>".into(),
        };
        let svg = diagram.svg();
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<img"), "{svg}");
        assert!(!svg.contains("<a>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        assert!(svg.contains("5 &amp; 6"));
        assert!(svg.contains("your &quot;program&quot;"));
        assert_eq!(svg.matches("data-arrow=").count(), 2);
        assert_eq!(svg.matches("data-note=").count(), 1);
        assert!(svg.contains(r#"data-arrows="2""#));
        assert!(
            !svg.contains("http"),
            "no namespace URL, no outside reference"
        );
    }

    #[test]
    fn a_long_label_widens_its_gap_and_a_failed_row_is_marked() {
        let narrow = Diagram {
            lanes: vec![lane("a"), lane("b")],
            rows: vec![Row::arrow(0, 1, "send", "x".into())],
            arrow_attribute: "data-arrow",
            class: "sequence",
            caption: String::new(),
        };
        let mut wide = narrow.clone();
        wide.rows[0].label = "y".repeat(40);
        wide.rows[0].mark = Mark::Failed(Some(5));
        let (narrow_xs, _) = narrow.columns(8.0);
        let (wide_xs, _) = wide.columns(8.0);
        assert!(wide_xs[1] - wide_xs[0] > narrow_xs[1] - narrow_xs[0]);
        let svg = wide.svg();
        assert!(svg.contains(r#"data-failed-step="5""#));
        assert!(svg.contains("class=\"cross\""));
    }
}

//! [`CSS`]: the page's one inline style sheet — the page, the test sections, and the SVG
//! diagrams' colours by kind (`k-send`, `k-fin`, `k-rst`…), so the diagram code writes classes,
//! not colours. System fonts only (with the usual Chinese ones), nothing fetched.

/// The style sheet, inlined in `<style>`.
pub const CSS: &str = r#"
:root{--pass:#1a7f37;--fail:#cf222e;--fragile:#9a6700;--ink:#1f2328;--dim:#59636e;--line:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px 48px;color:var(--ink);background:#fff;font:15px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:0}
code,pre,.diagram text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Noto Sans Mono CJK SC","Microsoft YaHei",monospace}
header .program,header .seed{color:var(--dim);margin:2px 0;font-size:13px;overflow-wrap:anywhere}
.score{font-size:19px;font-weight:600;margin:10px 0}
.score.passed{color:var(--pass)}.score.failed{color:var(--fail)}
nav h2{font-size:14px;color:var(--dim);font-weight:600;margin-top:8px}
ol.overview{list-style:none;padding:0;margin:4px 0 16px}
ol.overview li{padding:1px 0}
a{color:inherit;text-decoration:none}a:hover{text-decoration:underline}
.mark{display:inline-block;width:1.2em;font-weight:700;text-align:center}
.passed>.mark,.passed .mark,.passed>a>.mark{color:var(--pass)}
.failed .mark,.error .mark{color:var(--fail)}
.fragile .mark{color:var(--fragile)}
.points{color:var(--dim);font-size:13px;font-weight:400;margin-left:6px}
.causes{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:6px;padding:10px 16px;margin:0 0 20px;background:#fff8f8}
.causes ul{list-style:none;padding:0;margin:6px 0 0}
.causes li{margin:4px 0}
section.test{border-top:1px solid var(--line);padding:14px 0 10px}
section.test>h2{margin-bottom:6px}
.failure{border-left:4px solid var(--fail);background:var(--soft);border-radius:0 6px 6px 0;padding:8px 14px;margin:6px 0 10px}
section.fragile .failure{border-left-color:var(--fragile)}
.failure p{margin:3px 0}
.failure .cause{font-weight:600;color:var(--fail)}
section.fragile .failure .cause{color:var(--fragile)}
.failure .why{color:var(--fragile);font-weight:600}
.failure .step{color:var(--dim);font-size:13px}
dl.compare{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0}
dl.compare dt{color:var(--fragile);font-size:13px;padding-top:1px}
dl.compare dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere;white-space:pre-wrap}
dl.compare dd.hex{grid-column:2}
dd.hex pre{margin:0}
ul.hints{list-style:none;padding:0;margin:6px 0}
ul.hints li{margin:2px 0}ul.hints b{color:var(--fragile);font-weight:600}
.rerun{font-size:13px;color:var(--dim)}.rerun code{color:var(--ink);overflow-wrap:anywhere}
details.happened{margin:4px 0}
details.happened>summary{cursor:pointer;color:var(--dim);font-size:13px;margin-bottom:4px}
.scroll{overflow-x:auto;padding-bottom:4px}
.caption{color:var(--dim);font-size:13px;margin:8px 0 2px}
.output pre{background:#0d1117;color:#e6edf3;border-radius:6px;padding:8px 12px;margin:0;font-size:12.5px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.output.stderr pre{border-left:4px solid var(--fail)}
footer{margin-top:28px;color:var(--dim);font-size:12px}
.diagram{display:block;font-size:12px}
.diagram text{fill:var(--ink);text-anchor:middle}
.diagram .head rect{fill:#eef2f6;stroke:#8c959f}
.diagram .head.program rect{fill:#ddf4ff;stroke:#0969da}
.diagram .head.console rect{fill:#f6f8fa;stroke:#afb8c1;stroke-dasharray:3 2}
.diagram .lane-label{font-weight:600}
.diagram .lane-sub{font-size:10px;fill:var(--dim)}
.diagram .lifeline{stroke:#afb8c1;stroke-dasharray:4 4}
.diagram .lifeline.program{stroke:#0969da;stroke-width:2;stroke-dasharray:none}
.diagram .lifeline-end{stroke:#0969da;stroke-width:2.5}
.diagram .arrow line{stroke:#57606a;stroke-width:1.6}
.diagram .arrow .tip{fill:#57606a}
.diagram .arrow .detail,.diagram .note .detail{font-size:10.5px;fill:var(--dim)}
.diagram .time{font-size:10.5px;fill:var(--dim);text-anchor:start}
.diagram .k-connect line,.diagram .k-syn line,.diagram .k-synack line{stroke:#0969da}
.diagram .k-connect .tip,.diagram .k-syn .tip,.diagram .k-synack .tip{fill:#0969da}
.diagram .k-fin line{stroke:#8250df;stroke-dasharray:6 3}.diagram .k-fin .tip{fill:#8250df}
.diagram .k-rst line{stroke:#bc4c00;stroke-width:2.2}.diagram .k-rst .tip{fill:#bc4c00}
.diagram .k-datagram line,.diagram .k-udp line{stroke:#1b7c83}.diagram .k-datagram .tip,.diagram .k-udp .tip{fill:#1b7c83}
.diagram .k-typed line,.diagram .k-eof line,.diagram .k-printed line{stroke:#4d2d00;stroke-dasharray:2 2}
.diagram .k-typed .tip,.diagram .k-eof .tip,.diagram .k-printed .tip{fill:#4d2d00}
.diagram .k-ack line{stroke:#8c959f;stroke-width:1;stroke-dasharray:3 3}.diagram .k-ack .tip{fill:#8c959f}
.diagram .k-misdirected line{stroke:#bc4c00;stroke-width:2}.diagram .k-misdirected .tip{fill:#bc4c00}.diagram .k-misdirected .detail{fill:#bc4c00}
.diagram .note rect{fill:#fff8c5;stroke:#d4a72c}
.diagram .note.k-end rect,.diagram .note.k-limit rect{fill:#eef2f6;stroke:#8c959f}
.diagram .arrow.failed line{stroke:var(--fail);stroke-width:2.2;stroke-dasharray:7 4}
.diagram .arrow.failed .tip{fill:var(--fail)}
.diagram .failed .label{fill:var(--fail);font-weight:700}
.diagram .failed .detail{fill:var(--fail)}
.diagram .note.failed rect{fill:#ffebe9;stroke:var(--fail);stroke-width:1.6}
.diagram .cross{stroke:var(--fail);stroke-width:2.5}
.diagram .arrow.fragile line{stroke:var(--fragile);stroke-width:2.2;stroke-dasharray:7 4}
.diagram .arrow.fragile .tip{fill:var(--fragile)}
.diagram .fragile .label,.diagram .fragile .detail{fill:var(--fragile)}
.diagram .fragile .cross{stroke:var(--fragile)}
.diagram .note.fragile rect{fill:#fff8c5;stroke:var(--fragile);stroke-width:1.6}
@media print{details.happened>summary{display:none}}
"#;

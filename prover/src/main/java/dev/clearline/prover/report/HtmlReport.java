package dev.clearline.prover.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.clearline.prover.trace.StepCase;
import dev.clearline.prover.trace.StepTrace;
import java.util.Map;

/**
 * The dispute report as one self-contained HTML page: styles, script and the trace
 * (docs/trace-format.md) are inline, nothing is fetched. The summary, rounds, transition, verdicts,
 * leaves and gas are static HTML; the trace browser (frames, then a frame's opcode steps with
 * their stacks) is built by the inline script from the embedded trace.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(DisputeRecord r) {
        StepTrace t = r.oneStep();
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Clearline dispute report: batch ")
                .append(r.batchIndex()).append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
        b.append("<h1>Dispute over batch ").append(r.batchIndex()).append("</h1>\n<p class=\"meta\">")
                .append(r.source().equals("L1") ? "Game " + r.gameId() + " at " + esc(r.disputeGame().orElse("?"))
                        : "Rehearsal: played locally against the replayed batch, nothing sent to L1")
                .append(" &middot; chain ").append(r.chainId()).append("</p>\n");
        boolean challengerWins = r.outcome().map(DisputeRecord.Outcome::challengerWon).orElse(r.expectedWinner().equals("challenger"));
        b.append("<div id=\"verdict\" class=\"verdict ").append(challengerWins ? "fraud" : "honest").append("\">")
                .append(esc(r.verdict())).append("</div>\n");
        b.append("<table class=\"kv\">")
                .append(row("Proposer", r.proposer())).append(row("Challenger", r.challenger()))
                .append(row("Transitions", Integer.toString(r.transitionCount())))
                .append(row("Pre-state root", r.claimedPreRoot())).append(row("Claimed post-state root", r.claimedPostRoot()))
                .append(row("Disputed step", Integer.toString(r.disputedStep())))
                .append("</table>\n");

        b.append("<h2>Rounds</h2>\n<table id=\"rounds\"><thead><tr><th>#</th><th>side</th><th>move</th><th>segment</th><th>part</th><th>roots</th><th>L1</th></tr></thead><tbody>\n");
        for (DisputeRecord.Round round : r.rounds()) {
            b.append("<tr><td>").append(round.number()).append("</td><td>").append(esc(round.side())).append("</td><td>").append(esc(round.move()))
                    .append("</td><td>[").append(round.lo()).append(", ").append(round.hi()).append(")</td><td>")
                    .append(round.segment() >= 0 ? Integer.toString(round.segment()) : "").append("</td><td class=\"mono\">")
                    .append(esc(String.join("\n", round.roots())).replace("\n", "<br>")).append("</td><td class=\"mono\">")
                    .append(round.transaction().map(tx -> esc(tx) + "<br>block " + round.block() + ", gas " + esc(round.gasText())).orElse("-"))
                    .append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");

        b.append("<h2>Disputed transition</h2>\n<table id=\"transition\" class=\"kv\">");
        for (Map.Entry<String, String> f : ReportModel.fields(t.stepCase().transition())) b.append(row(f.getKey(), f.getValue()));
        b.append(row("pre-state root", t.stepCase().preRoot().toString())).append("</table>\n");

        b.append("<h2>Verdicts</h2>\n<table id=\"verdicts\"><thead><tr><th></th><th>Java STF</th><th>Solidity StepVerifier (EVM)</th></tr></thead><tbody>");
        for (ReportModel.VerdictRow v : ReportModel.verdicts(r)) {
            b.append("<tr class=\"").append(v.same() ? "same" : "differ").append("\"><th>").append(esc(v.what())).append("</th><td class=\"mono\">")
                    .append(esc(v.java())).append("</td><td class=\"mono\">").append(esc(v.solidity())).append("</td></tr>");
        }
        b.append("</tbody></table>\n");

        b.append("<h2>Leaves</h2>\n<table id=\"leaves\"><thead><tr><th>leaf</th><th>field</th><th>before (pre-state)</th>"
                + "<th>after (Java STF)</th></tr></thead><tbody>");
        for (LeafView.Decoded l : ReportModel.decodedLeaves(r)) {
            int rows = Math.max(1, l.fields().size());
            String state = l.absentBefore() && l.absentAfter() ? " (absent)" : l.absentBefore() ? " (created)" : l.absentAfter() ? " (deleted)" : "";
            b.append("<tr class=\"leaf ").append(l.written() ? "written" : "read").append("\" data-kind=\"").append(l.kind()).append("\">")
                    .append("<th rowspan=\"").append(rows).append("\">").append(esc(l.kind().name())).append(esc(state))
                    .append(l.label().isEmpty() ? "" : "<br>" + esc(l.label())).append("<br><span class=\"mono key\" title=\"")
                    .append(esc(l.key())).append("\">").append(esc(l.key().substring(0, Math.min(12, l.key().length())))).append("…</span></th>");
            if (l.fields().isEmpty()) b.append("<td></td><td>absent</td><td>absent</td></tr>");
            for (int i = 0; i < l.fields().size(); i++) {
                LeafView.Field f = l.fields().get(i);
                if (i > 0) b.append("<tr class=\"").append(l.written() ? "written" : "read").append("\">");
                b.append("<td class=\"field").append(f.changed() ? " changed" : "").append("\" data-field=\"").append(esc(f.name())).append("\">")
                        .append(esc(f.name())).append("</td><td class=\"mono wrap\">").append(esc(f.before() == null ? "-" : f.before()))
                        .append("</td><td class=\"mono wrap\">").append(f.changed() ? esc(f.after() == null ? "-" : f.after()) : "unchanged")
                        .append("</td></tr>");
            }
        }
        b.append("</tbody></table>\n");

        b.append("<h2>Gas</h2>\n<table class=\"kv\" id=\"gas\">").append(row("one-step call (StepVerifier.step)", Long.toString(t.run().gasUsed())));
        if (r.source().equals("L1")) {
            b.append(row("proposer's L1 transactions", r.gasOf("proposer")))
                    .append(row("challenger's L1 transactions", r.gasOf("challenger")));
        }
        b.append("</table>\n");

        b.append("<h2>Trace</h2>\n<p>The one-step call replayed in the embedded EVM (go-ethereum). Pick a call frame to see its opcode steps; "
                + "the raw trace is in the format of docs/trace-format.md.</p>\n<div class=\"trace\"><ul id=\"frames\"></ul>"
                + "<div><p id=\"frame-title\"></p><table id=\"steps\"><thead><tr><th>#</th><th>pc</th><th>op</th><th>gas</th><th>cost</th>"
                + "<th>depth</th><th>stack (top first)</th></tr></thead><tbody></tbody></table><button id=\"more\" hidden>more steps</button></div></div>\n");
        b.append("<script type=\"application/json\" id=\"trace-data\">").append(embed(t)).append("</script>\n");
        b.append("<script>").append(JS).append("</script>\n</body></html>\n");
        return b.toString();
    }

    /** The trace JSON, safe inside a script element ({@code <} only occurs in strings, where an escape means the same). */
    private static String embed(StepTrace t) {
        try {
            return ReportModel.JSON.writeValueAsString(t.toNode()).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain JSON nodes failed to serialise", e);
        }
    }

    private static String row(String k, String v) {
        return "<tr><th>" + esc(k) + "</th><td class=\"mono\">" + esc(v) + "</td></tr>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
            h1{margin-bottom:0}.meta{color:#666;margin-top:.3em}
            .verdict{font-size:1.4em;font-weight:bold;padding:.6em 1em;border-radius:6px;margin:1em 0}
            .verdict.fraud{background:#fde2e1;color:#8a1c14}.verdict.honest{background:#e1f5e4;color:#1d5e2a}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
            th{background:#f5f5f5}.mono{font-family:ui-monospace,monospace;font-size:.85em}.wrap{word-break:break-all;max-width:36em}
            tr.differ td{background:#fff3cd}tr.written td{background:#eef6ff}td.changed,td.changed+td+td{font-weight:bold}tr.leaf th,tr.leaf td{border-top:2px solid #999}
            .trace{display:flex;gap:1em;align-items:flex-start}#frames{list-style:none;padding:0;min-width:22em;font-size:.9em}
            #frames li{cursor:pointer;padding:.2em .4em;border-radius:4px}#frames li.sel{background:#dbe9ff}#frames li.err{color:#a00}
            #steps td{font-family:ui-monospace,monospace;font-size:.8em}#steps td.stack{word-break:break-all;max-width:40em}
            """;

    private static final String JS = """
            (function(){
              var t=JSON.parse(document.getElementById('trace-data').textContent);
              var list=document.getElementById('frames'),body=document.querySelector('#steps tbody');
              var more=document.getElementById('more'),title=document.getElementById('frame-title');
              var PAGE=500,shown=0,current=0;
              function label(f){return '#'+f.id+' '+f.type+' '+(f.contract||f.to||'')+' \\u2014 gas '+f.gasUsed+', '+f.stepCount+' steps'+(f.error?' ('+f.error+')':'');}
              t.frames.forEach(function(f){
                var li=document.createElement('li');li.textContent=label(f);li.dataset.frame=f.id;
                li.style.paddingLeft=(f.depth-1)*1.2+'em';if(f.error)li.className='err';
                li.onclick=function(){show(f.id);};list.appendChild(li);
              });
              function rows(){
                var f=t.frames[current],n=0;
                for(var i=Math.max(f.firstStep,0)+0,seen=0;i<t.steps.length&&n<PAGE;i++){
                  var s=t.steps[i];if(s.frame!==current)continue;
                  if(seen++<shown)continue;
                  var tr=document.createElement('tr');
                  [i,s.pc,s.op,s.gas,s.gasCost,s.depth,s.stack.slice().reverse().join(' ')].forEach(function(v,k){
                    var td=document.createElement('td');td.textContent=v;if(k===6)td.className='stack';tr.appendChild(td);});
                  if(s.error)tr.title=s.error;
                  body.appendChild(tr);n++;
                }
                shown+=n;more.hidden=shown>=f.stepCount;
              }
              function show(id){
                current=id;shown=0;body.innerHTML='';
                Array.prototype.forEach.call(list.children,function(li){li.classList.toggle('sel',+li.dataset.frame===id);});
                title.textContent=label(t.frames[id]);rows();
              }
              more.onclick=rows;
              show(0);
              document.body.dataset.traceReady='true';
            })();
            """;
}

const fs=require("fs");const p=JSON.parse(fs.readFileSync(process.argv[2]));
const byId=new Map(p.nodes.map(n=>[n.id,n]));const parent=new Map();for(const n of p.nodes)for(const c of n.children||[])parent.set(c,n.id);
const dt=p.timeDeltas;const self={},incl={};
for(let k=0;k<p.samples.length;k++){let id=p.samples[k];const n=byId.get(id);const key=f(n);self[key]=(self[key]||0)+(dt[k]||0);const seen=new Set();while(id!==undefined){const m=byId.get(id);const kk=f(m);if(!seen.has(kk)){incl[kk]=(incl[kk]||0)+(dt[k]||0);seen.add(kk)}id=parent.get(id);}}
function f(n){return n.callFrame.functionName+" "+n.callFrame.url.split("/").slice(-2).join("/")+":"+n.callFrame.lineNumber}
console.log("SELF");Object.entries(self).sort((a,b)=>b[1]-a[1]).slice(0,22).forEach(([k,v])=>console.log((v/1000).toFixed(0)+"ms",k));
console.log("INCL");Object.entries(incl).sort((a,b)=>b[1]-a[1]).slice(0,30).forEach(([k,v])=>console.log((v/1000).toFixed(0)+"ms",k));

//! A workflow's graph as the seed's React Flow canvas saves it: `{nodes: [{id, type?, data:
//! {nodeType, label?, systemPrompt?, …}}], edges: [{id?, source, target, sourceHandle?}]}`.
//!
//! `parse` reads it (errors name the file and the problem); `plan` decides whether it can run and
//! in which order: every node kind must be one this product runs (the others are named, all at
//! once, before anything runs), every edge must join two nodes, and there must be no cycle (the
//! cycle is named); the order is the graph order, ties kept in the file's order.

use serde_json::Value;
use std::collections::HashMap;

/// The seed's node kinds that run the model with a system prompt.
pub const AI_KINDS: &[&str] =
    &["requirements", "designSystem", "reference", "architect", "structure", "style", "interaction", "composition", "transform", "summarize", "custom"];
/// The seed's other node kinds that run here.
pub const RUN_KINDS: &[&str] = &["input", "output", "writefile", "bash", "validate"];
/// The seed's node kinds that do not run here yet.
pub const LATER_KINDS: &[&str] = &[
    "parallel", "condition", "loopuntil", "fetch", "fileop", "auth", "preview", "bun", "runner", "codeextract", "diff", "jsonextract", "linter",
    "gitop", "memorystore", "memoryload",
];

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub kind: String,
    /// The label the canvas shows, or the id.
    pub name: String,
    pub data: Value,
}

impl Node {
    /// A non-empty string field of the node's data, under any of `keys`.
    pub fn text(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|key| self.data.get(*key).and_then(Value::as_str)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    }

    pub fn is_ai(&self) -> bool {
        AI_KINDS.contains(&self.kind.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub source: String,
    pub target: String,
    /// The output the edge leaves from (`pass` / `fail` for validate).
    pub source_handle: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.id == id)
    }

    /// How messages name a node: its label, and its id when they differ.
    pub fn shown(&self, id: &str) -> String {
        match self.node(id) {
            Some(node) if node.name != node.id => format!("'{}' ({})", node.name, node.id),
            Some(node) => format!("'{}'", node.name),
            None => format!("'{id}'"),
        }
    }
}

fn id_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a workflow file's text. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Graph, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| format!("{file} is not valid JSON ({err}); fix the file or save the workflow again"))?;
    let Some(object) = value.as_object() else {
        return Err(format!("{file} is not a workflow: it must be a JSON object with \"nodes\" and \"edges\""));
    };
    let Some(raw_nodes) = object.get("nodes").and_then(Value::as_array) else {
        return Err(format!("{file} is not a workflow: it has no \"nodes\" list"));
    };
    let mut nodes = Vec::new();
    for (index, raw) in raw_nodes.iter().enumerate() {
        let Some(id) = id_of(raw.get("id")) else {
            return Err(format!("{file}: node #{} has no \"id\"; every node needs one", index + 1));
        };
        let data = raw.get("data").cloned().unwrap_or(Value::Null);
        let kind = data.get("nodeType").or_else(|| raw.get("nodeType")).or_else(|| raw.get("type")).and_then(Value::as_str).map(str::trim).unwrap_or("");
        if kind.is_empty() {
            return Err(format!("{file}: node '{id}' has no \"nodeType\" (in its data); every node needs a kind"));
        }
        let name = data.get("label").and_then(Value::as_str).map(str::trim).filter(|l| !l.is_empty()).unwrap_or(&id).to_string();
        if nodes.iter().any(|node: &Node| node.id == id) {
            return Err(format!("{file}: two nodes have the id '{id}'; node ids must be unique"));
        }
        nodes.push(Node { id, kind: kind.to_string(), name, data });
    }
    let mut edges = Vec::new();
    match object.get("edges") {
        None | Some(Value::Null) => {}
        Some(Value::Array(raw_edges)) => {
            for (index, raw) in raw_edges.iter().enumerate() {
                let (Some(source), Some(target)) = (id_of(raw.get("source")), id_of(raw.get("target"))) else {
                    return Err(format!("{file}: edge #{} needs a \"source\" and a \"target\" node id", index + 1));
                };
                let source_handle = raw.get("sourceHandle").and_then(Value::as_str).map(str::to_string);
                edges.push(Edge { source, target, source_handle });
            }
        }
        Some(_) => return Err(format!("{file}: \"edges\" must be a list")),
    }
    Ok(Graph { nodes, edges })
}

/// Checks that the graph can run and returns its node indices in run order.
pub fn plan(graph: &Graph) -> Result<Vec<usize>, String> {
    let unsupported: Vec<String> = graph
        .nodes
        .iter()
        .filter(|node| !node.is_ai() && !RUN_KINDS.contains(&node.kind.as_str()))
        .map(|node| {
            let known = if LATER_KINDS.contains(&node.kind.as_str()) { "" } else { ", not a known kind" };
            format!("'{}' ({}{known})", node.name, node.kind)
        })
        .collect();
    if !unsupported.is_empty() {
        return Err(format!(
            "This workflow has nodes that cannot run yet: {}. Prototyper runs input, output, writefile, bash, validate and the AI nodes ({}); replace or remove these nodes. Nothing was run.",
            unsupported.join(", "),
            AI_KINDS.join(", ")
        ));
    }
    let index: HashMap<&str, usize> = graph.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    for edge in &graph.edges {
        for (end, other) in [(&edge.source, &edge.target), (&edge.target, &edge.source)] {
            if !index.contains_key(end.as_str()) {
                return Err(format!(
                    "An edge joins {} to '{end}', which is not a node of this workflow; remove the edge or add the node. Nothing was run.",
                    graph.shown(other)
                ));
            }
        }
    }
    // Kahn's algorithm, always taking the earliest ready node in file order.
    let count = graph.nodes.len();
    let mut incoming = vec![0usize; count];
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); count];
    for edge in &graph.edges {
        let (from, to) = (index[edge.source.as_str()], index[edge.target.as_str()]);
        incoming[to] += 1;
        outgoing[from].push(to);
    }
    let mut done = vec![false; count];
    let mut order = Vec::with_capacity(count);
    while let Some(next) = (0..count).find(|&i| !done[i] && incoming[i] == 0) {
        done[next] = true;
        order.push(next);
        for &to in &outgoing[next] {
            incoming[to] -= 1;
        }
    }
    if order.len() < count {
        let cycle = find_cycle(&outgoing, &done);
        let names: Vec<String> = cycle.iter().map(|&i| format!("'{}'", graph.nodes[i].name)).collect();
        return Err(format!(
            "This workflow has a cycle: {}. Workflows run in graph order, so remove one of these edges. Nothing was run.",
            names.join(" → ")
        ));
    }
    Ok(order)
}

/// A cycle among the nodes left unordered, as node indices with the first repeated at the end.
fn find_cycle(outgoing: &[Vec<usize>], done: &[bool]) -> Vec<usize> {
    let start = (0..done.len()).find(|&i| !done[i]).unwrap_or(0);
    // Walk forward through unordered nodes until one repeats: every unordered node has an
    // unordered predecessor, and following successors inside that set must loop.
    let mut path = vec![start];
    let mut current = start;
    loop {
        let Some(&next) = outgoing[current].iter().find(|&&to| !done[to]) else { return path };
        if let Some(at) = path.iter().position(|&seen| seen == next) {
            let mut cycle = path[at..].to_vec();
            cycle.push(next);
            return cycle;
        }
        path.push(next);
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn graph(nodes: Value, edges: Value) -> Graph {
        parse(&json!({ "nodes": nodes, "edges": edges }).to_string(), "w.json").unwrap()
    }

    fn node(id: &str, kind: &str) -> Value {
        json!({ "id": id, "type": "custom", "data": { "nodeType": kind, "label": format!("{id} label") } })
    }

    #[test]
    fn runs_in_graph_order_keeping_file_order_for_ties() {
        let g = graph(json!([node("out", "output"), node("b", "architect"), node("a", "requirements"), node("in", "input")]),
            json!([{ "source": "in", "target": "a" }, { "source": "a", "target": "b" }, { "source": "b", "target": "out" }, { "source": "in", "target": "out" }]));
        let order: Vec<&str> = plan(&g).unwrap().iter().map(|&i| g.nodes[i].id.as_str()).collect();
        assert_eq!(order, ["in", "a", "b", "out"]);
    }

    #[test]
    fn unsupported_kinds_are_all_named() {
        let g = graph(json!([node("a", "input"), node("b", "fetch"), node("c", "loopuntil"), node("d", "teleport")]), json!([]));
        let err = plan(&g).unwrap_err();
        assert!(err.contains("'b label' (fetch)") && err.contains("'c label' (loopuntil)") && err.contains("'d label' (teleport, not a known kind)"), "{err}");
    }

    #[test]
    fn dangling_edges_and_cycles_name_the_nodes() {
        let g = graph(json!([node("a", "input")]), json!([{ "source": "a", "target": "ghost" }]));
        let err = plan(&g).unwrap_err();
        assert!(err.contains("'a label' (a)") && err.contains("'ghost'"), "{err}");
        let g = graph(json!([node("in", "input"), node("x", "architect"), node("y", "style")]),
            json!([{ "source": "in", "target": "x" }, { "source": "x", "target": "y" }, { "source": "y", "target": "x" }]));
        let err = plan(&g).unwrap_err();
        assert!(err.contains("'x label' → 'y label' → 'x label'"), "{err}");
    }

    #[test]
    fn malformed_files_name_the_file_and_the_problem() {
        assert!(parse("{ nope", "a.json").unwrap_err().starts_with("a.json is not valid JSON (key must be a string at line 1 column 3)"));
        assert!(parse("[]", "a.json").unwrap_err().contains("must be a JSON object"));
        assert!(parse("{\"edges\": []}", "a.json").unwrap_err().contains("no \"nodes\" list"));
        assert!(parse("{\"nodes\": [{\"data\": {}}]}", "a.json").unwrap_err().contains("node #1 has no \"id\""));
        assert!(parse("{\"nodes\": [{\"id\": \"n\"}]}", "a.json").unwrap_err().contains("node 'n' has no \"nodeType\""));
        assert!(parse("{\"nodes\": [], \"edges\": [{\"source\": \"a\"}]}", "a.json").unwrap_err().contains("edge #1"));
    }
}

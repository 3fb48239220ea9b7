//! The endpoint table (`schema/endpoints.json`, generated into `accessgrid::endpoints`) is
//! the one contract: the README's feature table must list exactly its endpoints, each with
//! the SDK method the table names.

use accessgrid::endpoints::{Endpoint, ENDPOINTS};

/// `(method path, rust column)` of every README feature-table row about a `/v1/` path.
fn readme_rows() -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let start = readme
        .find("| Endpoint | Rust method |")
        .expect("the README has its feature table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter(|line| line.contains("/v1/"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_owned(), cells[2].to_owned())
        })
        .collect()
}

#[test]
fn the_readme_lists_every_endpoint_of_the_table_with_its_method() {
    let rows = readme_rows();
    for info in ENDPOINTS {
        let key = format!("{} {}", info.method, info.path);
        let Some((_, rust)) = rows.iter().find(|(endpoint, _)| *endpoint == key) else {
            panic!("the README's feature table has no row for `{key}`");
        };
        let call = format!("`client.{}(", info.call);
        assert!(
            rust.contains(&call),
            "`{key}`: README says {rust}, the table {call}"
        );
    }
}

#[test]
fn the_readme_lists_no_endpoint_the_table_lacks() {
    for (endpoint, _) in readme_rows() {
        assert!(
            ENDPOINTS
                .iter()
                .any(|info| format!("{} {}", info.method, info.path) == endpoint),
            "the README lists `{endpoint}`, which schema/endpoints.json does not declare"
        );
    }
}

#[test]
fn descriptors_agree_with_the_table() {
    use accessgrid::endpoints::{GetTemplate, IssueCard, ListCards};
    fn row<E: Endpoint>() -> (String, &'static str, &'static [&'static str]) {
        let info = ENDPOINTS
            .iter()
            .find(|i| i.id == E::ID)
            .expect("every descriptor has a row");
        (info.method.to_owned(), info.path, info.params)
    }
    assert_eq!(
        row::<IssueCard>(),
        ("POST".to_owned(), "/v1/key-cards", &[][..])
    );
    assert_eq!(row::<ListCards>().1, ListCards::PATH);
    assert_eq!(row::<GetTemplate>().2, ["template_id"]);
    assert_eq!(GetTemplate::METHOD.as_str(), row::<GetTemplate>().0);
}

//! Lazy iterators over the paginated console lists: event log, ledger items, template pairs
//! and webhooks. Each scenario runs against all four, counting the exact requests.

mod common;

use accessgrid::models::{
    ConsolePageQuery, LedgerItemsQuery, TemplateLogFilters, TemplateLogQuery,
};
use accessgrid::{Client, Error};
use common::nothing_sent;
use common::{assert_hit, client, mock, Expected};

type Ids<'c> = Box<dyn Iterator<Item = Result<String, Error>> + 'c>;

/// One paginated list: how its page `n` is asked for, how its answer wraps items, and how
/// to iterate it from page 1 with `per_page=2`.
struct List {
    name: &'static str,
    path: &'static str,
    /// Query pairs before `sig_payload`, in wire order, for page `n`.
    params: fn(u32) -> Vec<(String, String)>,
    sig_payload: &'static str,
    wrapper: &'static str,
    iterate: fn(&Client) -> Result<Ids<'_>, Error>,
}

fn page_params(
    extra_before: &[(&str, &str)],
    n: u32,
    extra_after: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = extra_before
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    out.push(("page".into(), n.to_string()));
    out.push(("per_page".into(), "2".into()));
    out.extend(
        extra_after
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    out
}

fn lists() -> Vec<List> {
    vec![
        List {
            name: "event log",
            path: "/v1/console/card-templates/tpl_1/logs",
            params: |n| page_params(&[("filters[device]", "mobile")], n, &[]),
            sig_payload: r#"{"id":"tpl_1"}"#,
            wrapper: "logs",
            iterate: |c| {
                let query = TemplateLogQuery::builder()
                    .per_page(2)
                    .filters(TemplateLogFilters::builder().device("mobile"));
                let it = c.console().templates().logs_all("tpl_1", query)?;
                Ok(Box::new(it.map(|r| {
                    r.map(|e| e.id.as_str().map(str::to_owned).unwrap_or_default())
                })))
            },
        },
        List {
            name: "ledger items",
            path: "/v1/console/ledger-items",
            params: |n| page_params(&[], n, &[("start_date", "2025-01-01")]),
            sig_payload: "{}",
            wrapper: "ledger_items",
            iterate: |c| {
                let query = LedgerItemsQuery::builder()
                    .per_page(2)
                    .start_date("2025-01-01");
                let it = c.console().ledger().list_all(query)?;
                Ok(Box::new(it.map(|r| r.map(|i| i.id))))
            },
        },
        List {
            name: "template pairs",
            path: "/v1/console/card-template-pairs",
            params: |n| page_params(&[], n, &[]),
            sig_payload: "{}",
            wrapper: "card_template_pairs",
            iterate: |c| {
                let it = c
                    .console()
                    .pairs()
                    .list_all(ConsolePageQuery::builder().per_page(2))?;
                Ok(Box::new(it.map(|r| r.map(|p| p.id))))
            },
        },
        List {
            name: "webhooks",
            path: "/v1/console/webhooks",
            params: |n| page_params(&[], n, &[]),
            sig_payload: "{}",
            wrapper: "webhooks",
            iterate: |c| {
                let it = c
                    .console()
                    .webhooks()
                    .list_all(ConsolePageQuery::builder().per_page(2))?;
                Ok(Box::new(it.map(|r| r.map(|w| w.id))))
            },
        },
    ]
}

fn answer(list: &List, page: u32, ids: &[&str], total_pages: u32, total_count: u32) -> String {
    let items: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":"{id}"}}"#)).collect();
    format!(
        r#"{{"{}":[{}],"pagination":{{"current_page":{page},"per_page":2,"total_pages":{total_pages},"total_count":{total_count}}}}}"#,
        list.wrapper,
        items.join(",")
    )
}

fn expect_page(
    server: &mut mockito::ServerGuard,
    list: &List,
    page: u32,
    status: usize,
    body: &str,
) -> (mockito::Mock, common::Mismatches) {
    let params = (list.params)(page);
    let params: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    mock(
        server,
        Expected::bodyless("GET", list.path, &params, list.sig_payload),
        status,
        body,
    )
}

#[test]
fn three_pages_are_read_lazily_and_exactly_once() {
    for list in lists() {
        let mut server = mockito::Server::new();
        let (p1, why1) = expect_page(
            &mut server,
            &list,
            1,
            200,
            &answer(&list, 1, &["a", "b"], 3, 5),
        );
        let (p2, why2) = expect_page(
            &mut server,
            &list,
            2,
            200,
            &answer(&list, 2, &["c", "d"], 3, 5),
        );
        let (p3, why3) = expect_page(&mut server, &list, 3, 200, &answer(&list, 3, &["e"], 3, 5));
        let extra = nothing_sent(&mut server);
        let client = client(&server);

        let mut ids = (list.iterate)(&client).expect("an iterator");
        assert!(
            !p1.matched(),
            "{}: nothing is fetched before the first next()",
            list.name
        );
        let first = ids.next().map(|r| r.expect("item"));
        assert_eq!(first.as_deref(), Some("a"), "{}", list.name);
        assert_hit(&p1, &why1);
        assert!(
            !p2.matched(),
            "{}: page 2 is fetched only when needed",
            list.name
        );
        let rest: Vec<String> = ids.by_ref().map(|r| r.expect("item")).collect();
        assert_eq!(rest, ["b", "c", "d", "e"], "{}", list.name);
        assert!(ids.next().is_none(), "{}: stays finished", list.name);

        assert_hit(&p2, &why2);
        assert_hit(&p3, &why3);
        extra.assert(); // no fourth request after the last page
    }
}

#[test]
fn an_empty_first_page_is_one_request_and_no_items() {
    for list in lists() {
        let mut server = mockito::Server::new();
        let (p1, why1) = expect_page(&mut server, &list, 1, 200, &answer(&list, 1, &[], 0, 0));
        let extra = nothing_sent(&mut server);
        let client = client(&server);

        let items: Vec<_> = (list.iterate)(&client).expect("an iterator").collect();
        assert!(items.is_empty(), "{}: {items:?}", list.name);
        assert_hit(&p1, &why1);
        extra.assert();
    }
}

#[test]
fn an_error_on_a_page_is_yielded_once_and_ends_the_iteration() {
    for list in lists() {
        let mut server = mockito::Server::new();
        let (p1, why1) = expect_page(
            &mut server,
            &list,
            1,
            200,
            &answer(&list, 1, &["a", "b"], 3, 6),
        );
        let (p2, why2) = expect_page(&mut server, &list, 2, 422, r#"{"message":"boom"}"#);
        let extra = nothing_sent(&mut server);
        let client = client(&server);

        let items: Vec<Result<String, Error>> =
            (list.iterate)(&client).expect("an iterator").collect();
        assert_eq!(items.len(), 3, "{}: {items:?}", list.name);
        assert_eq!(items[0].as_deref().ok(), Some("a"));
        assert_eq!(items[1].as_deref().ok(), Some("b"));
        match &items[2] {
            Err(e) => {
                assert_eq!(e.status(), Some(422), "{}", list.name);
                assert_eq!(e.api().map(|a| a.message.as_str()), Some("boom"));
            }
            Ok(id) => panic!("{}: expected the page error, got {id}", list.name),
        }
        assert_hit(&p1, &why1);
        assert_hit(&p2, &why2);
        extra.assert(); // page 3 is never asked for
    }
}

#[test]
fn without_page_figures_iteration_stops_at_an_empty_page() {
    for list in lists() {
        let mut server = mockito::Server::new();
        let body = |ids: &[&str]| {
            let items: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":"{id}"}}"#)).collect();
            format!(r#"{{"{}":[{}]}}"#, list.wrapper, items.join(","))
        };
        let (p1, why1) = expect_page(&mut server, &list, 1, 200, &body(&["a", "b"]));
        let (p2, why2) = expect_page(&mut server, &list, 2, 200, &body(&[]));
        let extra = nothing_sent(&mut server);
        let client = client(&server);

        let ids: Vec<String> = (list.iterate)(&client)
            .expect("an iterator")
            .map(|r| r.expect("item"))
            .collect();
        assert_eq!(ids, ["a", "b"], "{}", list.name);
        assert_hit(&p1, &why1);
        assert_hit(&p2, &why2);
        extra.assert();
    }
}

#[test]
fn iteration_starts_at_the_query_page() {
    let mut server = mockito::Server::new();
    let list = &lists()[3];
    let (p2, why2) = expect_page(&mut server, list, 2, 200, &answer(list, 2, &["c"], 2, 3));
    let extra = nothing_sent(&mut server);
    let client = client(&server);
    let ids: Vec<String> = client
        .console()
        .webhooks()
        .list_all(ConsolePageQuery::builder().page(2).per_page(2))
        .expect("an iterator")
        .map(|r| r.expect("item"))
        .map(|w| w.id)
        .collect();
    assert_eq!(ids, ["c"]);
    assert_hit(&p2, &why2);
    extra.assert();
}

#[test]
fn an_invalid_query_fails_before_iterating() {
    let mut server = mockito::Server::new();
    let extra = nothing_sent(&mut server);
    let client = client(&server);
    let err = client
        .console()
        .ledger()
        .list_all(LedgerItemsQuery::builder().per_page(101))
        .err();
    assert!(
        matches!(&err, Some(Error::InvalidInput { field, .. }) if field == "per_page"),
        "{err:?}"
    );
    extra.assert();
}

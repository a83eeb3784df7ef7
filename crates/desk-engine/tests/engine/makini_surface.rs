//! The engine's Makini surface through the real router: `/link/token`, the system routes,
//! `integrations/current`, and the data lists with Makini's paging, filters and sorts, each
//! answer checked against Makini's published schemas and against our own API's records.

use crate::harness::{TestEngine, CLIENT_ID, CLIENT_SECRET};
use axum::http::StatusCode;
use desk_engine::makini::{schema, shape};
use serde_json::{json, Value};

async fn makini_login(t: &TestEngine) -> Value {
    let reply = t
        .send(
            "POST",
            "/link/token",
            None,
            Some(json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// Every page of a Makini list, each validated against the documented schema.
async fn walk(t: &TestEngine, path: &str, token: &str, documented: &schema::Schema) -> Vec<Value> {
    let mut items = Vec::new();
    let separator = if path.contains('?') { '&' } else { '?' };
    for page in 1..=10_000 {
        let reply = t
            .send(
                "GET",
                &format!("{path}{separator}page={page}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        if let Err(problems) = schema::validate_page(documented, &reply.body) {
            panic!("{path} page {page} departs from Makini's schema: {problems:#?}");
        }
        let data = reply.body["data"].as_array().unwrap().clone();
        assert_eq!(reply.body["meta"]["current_page"], page);
        items.extend(data);
        if reply.body["links"]["next"].is_null() {
            assert_eq!(reply.body["meta"]["last_page"], page);
            assert_eq!(reply.body["meta"]["total"], items.len());
            return items;
        }
    }
    panic!("the walk did not end");
}

#[tokio::test]
async fn link_token_answers_an_expiry_timestamp_and_refreshes_once() {
    let t = TestEngine::start().await;
    let before = chrono::Utc::now().timestamp();
    let pair = makini_login(&t).await;
    let expiry = pair["expires_in"].as_i64().unwrap();
    assert!(
        expiry > before + 86_400,
        "a Unix time of expiry, not a duration: {pair}"
    );
    assert_eq!(pair["token_type"], "bearer");
    let access = pair["access_token"].as_str().unwrap();
    let client = t
        .send("GET", "/api/system/client", Some(access), None)
        .await;
    assert_eq!(client.body["data"]["id"], CLIENT_ID, "{}", client.body);

    let refresh = json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]});
    let renewed = t
        .send("POST", "/link/token", None, Some(refresh.clone()))
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    let replayed = t.send("POST", "/link/token", None, Some(refresh)).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    assert!(replayed.body["message"].is_string() && replayed.body["request_id"].is_string());

    let wrong = t
        .send("POST", "/link/token", None, Some(json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "nope"})))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let none = t.send("GET", "/api/system/connections", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["message"], "Unauthenticated.");
}

#[tokio::test]
async fn system_routes_list_create_and_remove_connections_in_makinis_shape() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    let access = makini_login(&t).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let documented = schema::schema("system", "Connection").unwrap();
    let listed = walk(
        &t,
        "/api/system/connections?per_page=1",
        &access,
        documented,
    )
    .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["key"], id.as_str());
    assert_eq!(listed[0]["integration_name"], "upkeep");
    let metadata: Value =
        serde_json::from_str(listed[0]["user_metadata"].as_str().unwrap()).unwrap();
    assert!(metadata["customer_id"].is_string(), "{metadata}");

    let platforms = t
        .send(
            "GET",
            "/api/system/platforms?per_page=100",
            Some(&access),
            None,
        )
        .await;
    assert!(platforms.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["slug"] == "upkeep"));

    t.buy(2).await;
    let created = t
        .send(
            "POST",
            "/api/system/connections",
            Some(&access),
            Some(json!({
            "name": "Plant 2", "email": "ops@plant2.example", "provider": "MAINTAIN-X",
            "credentials": {"api_key": "mx-key"}})),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let token = created.body["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let current = t
        .send("GET", "/api/integrations/current", Some(&token), None)
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(current.body["data"]["provider"], "maintainx");
    assert_eq!(current.body["data"]["company_name"], "Plant 2");
    let integration = schema::schema("system", "Integration").unwrap();
    assert_eq!(schema::validate(integration, &current.body["data"]), Ok(()));
    let new_key = current.body["data"]["id"].as_str().unwrap().to_owned();

    let set = t
        .send(
            "POST",
            &format!("/api/system/connections/{new_key}/metadata"),
            Some(&access),
            Some(json!([{"key": "site", "value": "Plant 2"}])),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let read = t
        .send(
            "GET",
            &format!("/api/system/connections/{new_key}/metadata"),
            Some(&access),
            None,
        )
        .await;
    assert!(read.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["key"] == "site" && e["value"] == "Plant 2"));

    let removed = t
        .send(
            "DELETE",
            &format!("/api/system/connections/{new_key}"),
            Some(&access),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(removed.body["data"]["status"], "disconnected");
    let after = t
        .send("GET", "/api/integrations/current", Some(&token), None)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
}

#[tokio::test]
async fn data_lists_serve_our_records_in_makinis_schema_with_its_paging() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    let current = t
        .send("GET", "/api/integrations/current", Some(&token), None)
        .await;
    assert_eq!(
        current.body["data"]["sync_status"], "fulldone",
        "{}",
        current.body
    );
    let mut served = 0;
    for shape in shape::SHAPES {
        let Some(documented) = schema::list_route("eam", shape.path)
            .and_then(|route| route.list_item())
            .and_then(|item| schema::schema("eam", item))
        else {
            continue;
        };
        let native = t
            .data(
                "GET",
                &format!("/api/v1/{}?limit=1", shape.entity),
                &token,
                None,
            )
            .await;
        if native.status != StatusCode::OK {
            continue; // the system does not hold this entity
        }
        let ours = t
            .walk_data(&format!("/api/v1/{}", shape.entity), &token, 500)
            .await;
        let theirs = walk(
            &t,
            &format!("/api/eam/{}?per_page=37", shape.path),
            &token,
            documented,
        )
        .await;
        let live: Vec<&Value> = theirs.iter().filter(|r| r["deletedAt"].is_null()).collect();
        assert_eq!(live.len(), ours.len(), "{}", shape.path);
        for (makini, native) in live.iter().zip(&ours) {
            assert_eq!(
                makini["key"], native["id"],
                "{}: same records in the same order",
                shape.path
            );
            assert_eq!(makini["updatedAt"], native["updated_at"]);
            assert_eq!(makini["createdAt"], native["created_at"]);
        }
        let one = &ours[ours.len() / 2];
        let key = one["id"].as_str().unwrap();
        let single = t
            .send(
                "GET",
                &format!("/api/eam/{}/{key}", shape.path),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(single.status, StatusCode::OK, "{}", single.body);
        assert_eq!(single.body["data"]["key"], key);
        assert_eq!(schema::validate(documented, &single.body["data"]), Ok(()));
        served += 1;
    }
    assert!(served >= 3, "upkeep serves several entities, got {served}");
    let missing = t
        .send("GET", "/api/eam/work-orders/WO-999999", Some(&token), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let wrong_namespace = t.send("GET", "/api/erp/vendors", Some(&token), None).await;
    assert_eq!(wrong_namespace.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_and_sorts_use_makinis_names_and_every_operator_spelling() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    let get = |path: String| {
        let t = &t;
        let token = token.clone();
        async move {
            let reply = t.send("GET", &path, Some(&token), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
            reply.body
        }
    };
    let all = get("/api/eam/work-orders?per_page=500".to_owned()).await;
    let records = all["data"].as_array().unwrap().clone();
    assert!(records.len() > 10);
    let pivot = records[records.len() / 2]["createdAt"]
        .as_str()
        .unwrap()
        .to_owned();
    let encoded = |v: &str| v.replace('+', "%2B").replace(':', "%3A");
    let count = |body: &Value| body["meta"]["total"].as_i64().unwrap();
    let older = records
        .iter()
        .filter(|r| r["createdAt"].as_str().unwrap() <= pivot.as_str())
        .count() as i64;
    for op in ["lteq", "lted"] {
        let body = get(format!(
            "/api/eam/work-orders?per_page=1&filter[createdAt:{op}]={}",
            encoded(&pivot)
        ))
        .await;
        assert_eq!(count(&body), older, "{op}");
    }
    let newer = get(format!(
        "/api/eam/work-orders?per_page=1&filter[createdAt:gt]={}",
        encoded(&pivot)
    ))
    .await;
    assert_eq!(count(&newer), records.len() as i64 - older);

    let title = records[0]["title"].as_str().unwrap().to_owned();
    let word = title.split(' ').next().unwrap().to_owned();
    let contains = get(format!(
        "/api/eam/work-orders?per_page=500&filter[title:contains]={}",
        word.to_lowercase()
    ))
    .await;
    let expected = records
        .iter()
        .filter(|r| {
            r["title"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains(&word.to_lowercase())
        })
        .count();
    assert_eq!(contains["data"].as_array().unwrap().len(), expected);
    let starts = get(format!(
        "/api/eam/work-orders?per_page=500&filter[title:startsWith]={word}"
    ))
    .await;
    assert!(starts["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["title"].as_str().unwrap().starts_with(&word)));

    let status = records[0]["status"].as_str().unwrap().to_owned();
    let severity = records[0]["severity"].as_str().unwrap().to_owned();
    let either = get(format!("/api/eam/work-orders?per_page=500&filterMatch=any&filter[status]={status}&filter[severity]={severity}")).await;
    let expected = records
        .iter()
        .filter(|r| r["status"] == status.as_str() || r["severity"] == severity.as_str())
        .count();
    assert_eq!(either["data"].as_array().unwrap().len(), expected);
    let both = get(format!(
        "/api/eam/work-orders?per_page=500&filter[status]={status}&filter[severity]={severity}"
    ))
    .await;
    let expected = records
        .iter()
        .filter(|r| r["status"] == status.as_str() && r["severity"] == severity.as_str())
        .count();
    assert_eq!(both["data"].as_array().unwrap().len(), expected);

    let sorted = get("/api/eam/work-orders?per_page=500&sort[title]=1".to_owned()).await;
    let titles: Vec<&str> = sorted["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    let mut expected = titles.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(titles, expected, "sort[title]=1 is descending");
    let unknown = get("/api/eam/work-orders?filter[noSuchField]=x".to_owned()).await;
    assert_eq!(count(&unknown), 0, "a field no record has matches none");

    let items = get("/api/eam/inventories?per_page=500".to_owned()).await;
    let first = &items["data"][0];
    let cents = first["unitCost"].as_i64().unwrap();
    let cheap = get(format!(
        "/api/eam/inventories?per_page=500&filter[unitCost:lteq]={cents}"
    ))
    .await;
    assert!(cheap["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["unitCost"].as_i64().unwrap() <= cents));
    assert!(cheap["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == first["key"]));
}

#[tokio::test]
async fn reauthorization_shows_as_sync_status_fail_and_data_routes_refuse() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let fault = t
        .post(
            &format!("/api/v1/sandbox/connections/{id}/faults"),
            json!({"kind": "expire_credentials"}),
        )
        .await;
    assert!(fault.status.is_success(), "{}", fault.body);
    t.engine.tick().await.unwrap();
    let current = t
        .send("GET", "/api/integrations/current", Some(&token), None)
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(
        current.body["data"]["sync_status"], "fail",
        "{}",
        current.body
    );
    let data = t
        .send("GET", "/api/eam/work-orders", Some(&token), None)
        .await;
    assert_eq!(data.status, StatusCode::UNAUTHORIZED, "{}", data.body);
    assert_eq!(data.body["code"], "REAUTHORIZATION_REQUIRED");
}

#[tokio::test]
async fn a_walk_in_page_order_gets_the_same_pages_as_each_page_asked_alone() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    for query in [
        "sort[key]=0&per_page=23",
        "per_page=41",
        "sort[updatedAt]=0&per_page=30",
        "sort[title]=1&per_page=20",
    ] {
        let page = |n: u32| {
            let t = &t;
            let token = token.clone();
            let path = format!("/api/eam/work-orders?{query}&page={n}");
            async move {
                let reply = t.send("GET", &path, Some(&token), None).await;
                assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
                reply.body
            }
        };
        let first = page(1).await;
        let last = first["meta"]["last_page"].as_u64().unwrap() as u32;
        assert!(last > 3, "{query}: {last} pages");
        let mut in_order = vec![first];
        for n in 2..=last {
            in_order.push(page(n).await);
        }
        for n in (1..=last).rev() {
            let alone = page(n).await;
            assert_eq!(
                alone["data"],
                in_order[n as usize - 1]["data"],
                "{query} page {n}"
            );
            assert_eq!(
                alone["meta"],
                in_order[n as usize - 1]["meta"],
                "{query} page {n}"
            );
        }
        // A walk started over with three pages in flight, answered in any order: the same
        // pages, each continued from a page served before it.
        let mut asked = 1;
        while asked <= last {
            let batch: Vec<u32> = (asked..=last.min(asked + 2)).collect();
            let answers = futures::future::join_all(batch.iter().rev().map(|&n| page(n))).await;
            for (n, answer) in batch.iter().rev().zip(answers) {
                assert_eq!(
                    answer["data"],
                    in_order[*n as usize - 1]["data"],
                    "{query} page {n} in flight"
                );
                assert_eq!(answer["meta"], in_order[*n as usize - 1]["meta"]);
            }
            asked += 3;
        }
        let keys: Vec<&Value> = in_order
            .iter()
            .flat_map(|p| p["data"].as_array().unwrap())
            .map(|r| &r["key"])
            .collect();
        let unique: std::collections::BTreeSet<String> =
            keys.iter().map(|k| k.to_string()).collect();
        assert_eq!(unique.len(), keys.len(), "{query}: no record twice");
        assert_eq!(
            keys.len() as u64,
            in_order[0]["meta"]["total"].as_u64().unwrap()
        );
    }
}

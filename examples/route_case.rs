//! Routes a case as an officer would on its page (for `samples/documents.sh`, whose 督办函
//! needs a routed case): `route_case DATA CASE transfer|assign BODY`.

use xinfang::domain::{Action, Role, Route, RouteKind, Rules};
use xinfang::registry::life::Actor;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, case, kind, body] = args.as_slice() else {
        eprintln!("usage: route_case DATA CASE transfer|assign BODY");
        std::process::exit(2);
    };
    let kind = RouteKind::parse(kind).expect("transfer or assign");
    let mut r = xinfang::registry::open(std::path::Path::new(data), Default::default()).expect("the register");
    let (deadlines, names) = (Default::default(), Default::default());
    let rules = Rules { deadlines: &deadlines, names: &names };
    let officer = Actor { role: Role::Officer, name: "samples".into(), address: None };
    let route = Route { kind, body: Some(body.clone()), reason: None };
    r.apply(case.parse().expect("a case id"), &Action::Route(route), &officer, rules)
        .expect("the register")
        .expect("the route is allowed");
}

//! The list of one child's courses.

use super::day;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, render};
use crate::request::Id;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use samspor_store::courses as svc;
use uuid::Uuid;

struct ChildCourseRow {
    id: Uuid,
    started: String,
    ended: Option<String>,
    status: &'static str,
    track: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "courses/course_list.html")]
struct ChildCoursesTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    courses: Vec<ChildCourseRow>,
}

pub(crate) async fn child_courses(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
) -> Result<Response, WebError> {
    let ctx = user.ctx(&rid);
    let child = samspor_store::children::read(&state.store, &ctx, id).await?;
    let courses = svc::courses_of_child(&state.store, &ctx, id).await?;
    let t = Tr(lang);
    Ok(render(
        StatusCode::OK,
        &ChildCoursesTemplate {
            t,
            l: Layout::new(
                Some(&user),
                t,
                &format!("/children/{id}/courses"),
                "courses",
            ),
            child_id: id,
            name: format!("{} {}", child.data.given_name, child.data.family_name),
            courses: courses
                .iter()
                .map(|c| ChildCourseRow {
                    id: c.id,
                    started: day(c.started_on),
                    ended: c.ended_on.map(day),
                    status: c.status.label(lang),
                    track: c.track.map(|p| p.label(lang)),
                })
                .collect(),
        },
    ))
}

// Export SQL for both backends; included by `sqlite.rs` and `postgres.rs` after `backend.rs`.
//
// Every read of the KL export selects "courses changed after since" the same way and joins
// from there, so one query per kind of record serves any number of courses.

mod export_rows {
    use crate::StoreError;
    use crate::export::model::*;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    use samspor_domain::course::careplan::CourseStatus;
    use samspor_domain::course::encounter::{Delivery, EncounterType, Participants, Treatment};
    use samspor_domain::course::kl::{ReferralDestination, Theme};
    use uuid::Uuid;

    fn corrupt(what: &str, value: &str) -> StoreError {
        StoreError::Corrupt(format!("{what}: unexpected value {value:?}"))
    }

    /// The organisation filter of a query: nothing for every organisation, else a parameter.
    /// Only fixed text is ever added, never a value, so the SQL built from it is safe.
    pub(super) fn org_filter(org: Option<Uuid>, column: &str, param: usize) -> String {
        match org {
            Some(_) => format!(" AND {column} = ${param}"),
            None => String::new(),
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct CourseRow {
        id: Uuid,
        child_id: Uuid,
        status: String,
        started_on: NaiveDate,
        ended_on: Option<NaiveDate>,
        received_at: Option<NaiveDateTime>,
        closed_at: Option<NaiveDateTime>,
        cpr: String,
        org_code: String,
        sor_code: Option<String>,
    }

    impl TryFrom<CourseRow> for KlCourse {
        type Error = StoreError;
        fn try_from(r: CourseRow) -> Result<Self, StoreError> {
            Ok(KlCourse {
                id: r.id,
                child_id: r.child_id,
                status: CourseStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("course status", &r.status))?,
                started_on: r.started_on,
                ended_on: r.ended_on,
                received_at: r.received_at,
                closed_at: r.closed_at,
                citizen: KlCitizen {
                    child_id: r.child_id,
                    cpr: r.cpr,
                    org_code: r.org_code,
                    sor_code: r.sor_code,
                },
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct CitizenRow {
        child_id: Uuid,
        cpr: String,
        org_code: String,
        sor_code: Option<String>,
    }

    impl From<CitizenRow> for KlCitizen {
        fn from(r: CitizenRow) -> Self {
            KlCitizen {
                child_id: r.child_id,
                cpr: r.cpr,
                org_code: r.org_code,
                sor_code: r.sor_code,
            }
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct ThemeRow {
        course_id: Uuid,
        theme: String,
        first_set: DateTime<Utc>,
    }

    impl TryFrom<ThemeRow> for KlTheme {
        type Error = StoreError;
        fn try_from(r: ThemeRow) -> Result<Self, StoreError> {
            Ok(KlTheme {
                course_id: r.course_id,
                theme: Theme::parse(&r.theme).ok_or_else(|| corrupt("theme", &r.theme))?,
                first_set: r.first_set,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct EncounterRow {
        id: Uuid,
        course_id: Uuid,
        kind: String,
        at: NaiveDateTime,
        delivery: Option<String>,
        participants: Option<String>,
        status: String,
    }

    impl TryFrom<EncounterRow> for KlEncounter {
        type Error = StoreError;
        fn try_from(r: EncounterRow) -> Result<Self, StoreError> {
            let delivery = match r.delivery.as_deref() {
                None => None,
                Some("individual") => Some(Delivery::Individual),
                Some("group") => Some(Delivery::Group),
                Some(other) => return Err(corrupt("delivery", other)),
            };
            let participants = match r.participants.as_deref() {
                None => None,
                Some("child_present") => Some(Participants::ChildPresent),
                Some("caregivers_only") => Some(Participants::CaregiversOnly),
                Some(other) => return Err(corrupt("participants", other)),
            };
            Ok(KlEncounter {
                id: r.id,
                course_id: r.course_id,
                kind: EncounterType::parse(&r.kind).ok_or_else(|| corrupt("encounter", &r.kind))?,
                at: r.at,
                treatment: match (delivery, participants) {
                    (Some(delivery), Some(participants)) => Some(Treatment {
                        delivery,
                        participants,
                    }),
                    _ => None,
                },
                entered_in_error: match r.status.as_str() {
                    "held" => false,
                    "entered-in-error" => true,
                    other => return Err(corrupt("encounter status", other)),
                },
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct ReferralRow {
        id: Uuid,
        course_id: Uuid,
        destination: String,
        at: DateTime<Utc>,
    }

    impl TryFrom<ReferralRow> for KlReferral {
        type Error = StoreError;
        fn try_from(r: ReferralRow) -> Result<Self, StoreError> {
            Ok(KlReferral {
                id: r.id,
                course_id: r.course_id,
                destination: ReferralDestination::parse(&r.destination)
                    .ok_or_else(|| corrupt("referral destination", &r.destination))?,
                at: r.at,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct DeliveryRow {
        id: Uuid,
        org_id: Option<Uuid>,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        created_at: DateTime<Utc>,
        created_by: Option<Uuid>,
        created_by_name: Option<String>,
        source: String,
        reports: i64,
    }

    impl TryFrom<DeliveryRow> for KlDelivery {
        type Error = StoreError;
        fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
            Ok(KlDelivery {
                id: r.id,
                org_id: r.org_id,
                since: r.since,
                until: r.until,
                created_at: r.created_at,
                created_by: r.created_by,
                created_by_name: r.created_by_name,
                source: DeliverySource::parse(&r.source)
                    .ok_or_else(|| corrupt("delivery source", &r.source))?,
                reports: r.reports,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(super) struct OrganisationRow {
        pub id: Uuid,
        pub code: String,
        pub last_job_until: Option<DateTime<Utc>>,
    }
}

macro_rules! delivery_select {
    () => {
        "SELECT d.id, d.org_id, d.since, d.until, d.created_at, d.created_by, u.name AS created_by_name,
                d.source, d.reports
         FROM kl_deliveries d LEFT JOIN users u ON u.id = d.created_by"
    };
}

/// How many children one INSERT of `kl_delivery_children` takes: well under SQLite's limit on
/// parameters, and few round trips for a whole-country delivery.
const DELIVERY_CHILDREN_CHUNK: usize = 400;

#[async_trait::async_trait]
impl crate::ExportTx for BackendTx {
    async fn kl_courses(&mut self, w: &crate::KlWindow) -> crate::Result<Vec<crate::KlCourse>> {
        let sql = format!(
            "SELECT c.id, c.child_id, c.status, c.started_on, c.ended_on, k.received_at,
                    (SELECT MAX(e.at) FROM encounters e
                      WHERE e.course_id = c.id AND e.kind = 'afslutning' AND e.status = 'held') AS closed_at,
                    ch.cpr, o.code AS org_code, o.sor_code
             FROM courses c
             JOIN children ch ON ch.id = c.child_id
             JOIN organisations o ON o.id = ch.org_id
             LEFT JOIN course_contacts k ON k.course_id = c.id
             WHERE c.updated_at > $1{}
             ORDER BY c.child_id, c.started_on, c.id",
            export_rows::org_filter(w.org_id, "c.org_id", 2)
        );
        let mut q =
            sqlx::query_as::<_, export_rows::CourseRow>(sqlx::AssertSqlSafe(sql)).bind(w.since);
        if let Some(org) = w.org_id {
            q = q.bind(org);
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn kl_themes(&mut self, w: &crate::KlWindow) -> crate::Result<Vec<crate::KlTheme>> {
        let sql = format!(
            "SELECT t.course_id, t.theme,
                    (SELECT MIN(f.valid_from) FROM course_themes f
                      WHERE f.course_id = t.course_id AND f.theme = t.theme) AS first_set
             FROM course_themes t JOIN courses c ON c.id = t.course_id
             WHERE t.valid_to IS NULL AND c.updated_at > $1{}
             ORDER BY t.course_id, first_set, t.theme",
            export_rows::org_filter(w.org_id, "c.org_id", 2)
        );
        let mut q =
            sqlx::query_as::<_, export_rows::ThemeRow>(sqlx::AssertSqlSafe(sql)).bind(w.since);
        if let Some(org) = w.org_id {
            q = q.bind(org);
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn kl_encounters(
        &mut self,
        w: &crate::KlWindow,
    ) -> crate::Result<Vec<crate::KlEncounter>> {
        let sql = format!(
            "SELECT e.id, e.course_id, e.kind, e.at, e.delivery, e.participants, e.status
             FROM encounters e JOIN courses c ON c.id = e.course_id
             WHERE c.updated_at > $1{}
               AND (c.status = 'entered-in-error'
                    OR (COALESCE(e.updated_at, e.created_at) > $1
                        AND COALESCE(e.updated_at, e.created_at) <= $2))
             ORDER BY e.course_id, e.at, e.id",
            export_rows::org_filter(w.org_id, "c.org_id", 3)
        );
        let mut q = sqlx::query_as::<_, export_rows::EncounterRow>(sqlx::AssertSqlSafe(sql))
            .bind(w.since)
            .bind(w.until);
        if let Some(org) = w.org_id {
            q = q.bind(org);
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn kl_referrals(&mut self, w: &crate::KlWindow) -> crate::Result<Vec<crate::KlReferral>> {
        let sql = format!(
            "SELECT r.id, r.course_id, r.destination, r.at
             FROM referrals r JOIN courses c ON c.id = r.course_id
             WHERE c.updated_at > $1{}
               AND (c.status = 'entered-in-error'
                    OR (COALESCE(r.recorded_at, r.at) > $1 AND COALESCE(r.recorded_at, r.at) <= $2))
             ORDER BY r.course_id, r.at, r.id",
            export_rows::org_filter(w.org_id, "c.org_id", 3)
        );
        let mut q = sqlx::query_as::<_, export_rows::ReferralRow>(sqlx::AssertSqlSafe(sql))
            .bind(w.since)
            .bind(w.until);
        if let Some(org) = w.org_id {
            q = q.bind(org);
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn kl_cpr_changed(
        &mut self,
        w: &crate::KlWindow,
    ) -> crate::Result<Vec<crate::KlCitizen>> {
        // changed_fields is a comma-separated list; the commas around it make `cpr` match only
        // as a whole field name.
        let sql = format!(
            "SELECT ch.id AS child_id, ch.cpr, o.code AS org_code, o.sor_code
             FROM children ch JOIN organisations o ON o.id = ch.org_id
             WHERE EXISTS (SELECT 1 FROM child_history h
                           WHERE h.child_id = ch.id AND h.changed_at > $1
                             AND (',' || h.changed_fields || ',') LIKE '%,cpr,%')
               AND EXISTS (SELECT 1 FROM courses c WHERE c.child_id = ch.id{})
             ORDER BY ch.id",
            export_rows::org_filter(w.org_id, "c.org_id", 2)
        );
        let mut q =
            sqlx::query_as::<_, export_rows::CitizenRow>(sqlx::AssertSqlSafe(sql)).bind(w.since);
        if let Some(org) = w.org_id {
            q = q.bind(org);
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn insert_kl_delivery(
        &mut self,
        d: &crate::KlDelivery,
        delivery: &str,
        children: &[uuid::Uuid],
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO kl_deliveries (id, org_id, since, until, created_at, created_by, source, reports, delivery)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(d.id)
        .bind(d.org_id)
        .bind(d.since)
        .bind(d.until)
        .bind(d.created_at)
        .bind(d.created_by)
        .bind(d.source.as_str())
        .bind(d.reports)
        .bind(delivery)
        .execute(&mut *self.tx)
        .await?;
        for chunk in children.chunks(DELIVERY_CHILDREN_CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${})", i + 2))
                .collect();
            let sql = format!(
                "INSERT INTO kl_delivery_children (delivery_id, child_id) VALUES {}",
                values.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(d.id);
            for child in chunk {
                q = q.bind(*child);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn kl_deliveries(&mut self, org_id: uuid::Uuid) -> crate::Result<Vec<crate::KlDelivery>> {
        let rows: Vec<export_rows::DeliveryRow> = sqlx::query_as(concat!(
            delivery_select!(),
            " WHERE d.org_id = $1 ORDER BY d.created_at DESC, d.id DESC"
        ))
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn kl_delivery(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<(crate::KlDelivery, String, Vec<uuid::Uuid>)>> {
        let row: Option<export_rows::DeliveryRow> =
            sqlx::query_as(concat!(delivery_select!(), " WHERE d.id = $1"))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let json: String = sqlx::query_scalar("SELECT delivery FROM kl_deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        let children: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT child_id FROM kl_delivery_children WHERE delivery_id = $1 ORDER BY child_id",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(Some((row.try_into()?, json, children)))
    }

    async fn kl_organisations(&mut self) -> crate::Result<Vec<crate::KlOrganisation>> {
        let rows: Vec<export_rows::OrganisationRow> = sqlx::query_as(
            "SELECT o.id, o.code,
                    (SELECT MAX(d.until) FROM kl_deliveries d
                      WHERE d.org_id = o.id AND d.source = 'job') AS last_job_until
             FROM organisations o
             WHERE o.kind = 'municipality' AND EXISTS (SELECT 1 FROM courses c WHERE c.org_id = o.id)
             ORDER BY o.code",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| crate::KlOrganisation {
                id: r.id,
                code: r.code,
                last_job_until: r.last_job_until,
            })
            .collect())
    }

    async fn set_sor_code(
        &mut self,
        org_id: uuid::Uuid,
        sor_code: Option<&str>,
    ) -> crate::Result<()> {
        let done = sqlx::query("UPDATE organisations SET sor_code = $1 WHERE id = $2")
            .bind(sor_code)
            .bind(org_id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }
}

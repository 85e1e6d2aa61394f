// What a front end does with the API, typed by the types openapi-typescript generates from its schema
// (schema.d.ts, made by tests/test_client_types.py). It is compiled, never run: it fails to compile when the
// schema drifts from what a client needs.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Placement = components["schemas"]["Placement"];

// JSON answers for JSON calls: the CSV alternative of a report is asked for with parseAs: "text".
const api = createClient<paths, "application/json">({ baseUrl: "/api/v1", headers: { Authorization: "Token …" } });

// An id from a body is the id in a path: numbers both.
export async function confirmAndFollow(placement: Placement): Promise<string | undefined> {
  const confirmed = await api.POST("/placements/{id}/confirm", { params: { path: { id: placement.id } } });
  const pathway = await api.GET("/pathways/{id}", { params: { path: { id: placement.pathway } } });
  const resident = await api.GET("/residents/{id}", { params: { path: { id: placement.resident.id } } });
  const checkIns = await api.GET("/check-ins", { params: { query: { placement: placement.id } } });
  const firstCheckIn = checkIns.data?.results[0];
  if (firstCheckIn) {
    await api.POST("/check-ins/{id}/complete", {
      params: { path: { id: firstCheckIn.id } },
      body: { outcome: "employed", supportNeeds: ["transport"] },
    });
  }
  return confirmed.data?.status ?? pathway.data?.stage ?? resident.data?.lastName;
}

// A report as JSON is the report; as CSV it is text.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Answer<Path extends keyof paths> = paths[Path] extends { get: { responses: { 200: { content: infer C } } } }
  ? C
  : never;

export const retentionCsvIsText: Equal<Answer<"/reports/retention">["text/csv"], string> = true;
export const stagesCsvIsText: Equal<Answer<"/reports/stages">["text/csv"], string> = true;
export const accountabilityCsvIsText: Equal<Answer<"/reports/programme-accountability">["text/csv"], string> = true;
export const domainsCsvIsText: Equal<Answer<"/reports/domains">["text/csv"], string> = true;

// Money is a decimal string, never a float.
export const moneyIsText: Equal<Answer<"/reports/domains">["application/json"]["spent"], string> = true;

export async function stagesPerNeighbourhood(): Promise<[number, number][]> {
  const report = await api.GET("/reports/stages", { params: { query: { groupBy: "neighbourhood" } } });
  return (report.data?.results ?? []).map((row) => [row.group.id ?? 0, row.stages.job_search]);
}

export async function stagesSpreadsheet(): Promise<string> {
  const csv = await api.GET("/reports/stages", {
    params: { query: { groupBy: "coach" } },
    headers: { Accept: "text/csv" },
    parseAs: "text",
  });
  const text: Answer<"/reports/stages">["text/csv"] = csv.data ?? "";
  return text.split("\r\n")[0];
}

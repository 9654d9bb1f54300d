/** What every workspace page is given: the route's parameters after the section id. */
export interface PageProps {
  readonly params: readonly string[];
}

/** Label and field selectors: parsing the query-string syntax and metav1.LabelSelector into predicates. */
export {
  type FieldPredicate,
  type FieldValues,
  parseFieldSelector,
} from './fields.ts';
export {
  formatLabelSelector,
  type LabelPredicate,
  type Labels,
  labelSelectorPredicate,
  matchAll,
  parseLabelSelector,
  SelectorParseError,
} from './labels.ts';

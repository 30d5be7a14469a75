export enum CreatorSearchStatusModel {
  RUNNING = 'running',
  COMPLETED = 'completed',
}

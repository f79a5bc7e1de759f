/**
 * The delivery was sent to a target that answers later: its message stays on the queue, put off until the
 * receipt's deadline, as the timer that retries it if no receipt comes. Not a failure: the queue consumer keeps the
 * message without logging it as one. (Its own module, so the consumer knows it without loading the delivery logic.)
 */
export class AwaitingReceipt extends Error {
  constructor() {
    super('Sent; the message comes back at the receipt deadline');
    this.name = 'AwaitingReceipt';
  }
}
